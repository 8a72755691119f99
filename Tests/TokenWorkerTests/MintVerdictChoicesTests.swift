import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The mint a job's transaction leaves depends on the issuer's choices: the verdict accepts the job's own authorities
/// (none after `revoke`, the address it handed the mint authority to, the freeze authority it asked for) and, while
/// none of the job's transactions shows as its creator, refuses anything else as foreign. (With one, the authorities'
/// holders may have changed them since: `ChangedAuthorityTests`.)
@Suite struct MintVerdictChoicesTests {
    typealias T = MintVerdictTests
    static let escrow = try! Keypair(seed: [UInt8](repeating: 5, count: 32)).publicKey
    static let stranger = try! Keypair(seed: [UInt8](repeating: 6, count: 32)).publicKey
    static let recipient = try! Keypair(seed: [UInt8](repeating: 7, count: 32)).publicKey

    /// The expectation the sender makes for a Token-2022 job with `choices`, signed with `T.authority`.
    static func expectation(_ choices: IssuerChoices) throws -> MintExpectation {
        let plan = try TokenCreationPlan(
            program: .token2022, decimals: 6, name: "n", symbol: "s", uri: "u", amount: 1_000, recipient: recipient, memo: nil, choices: choices)
        return MintExpectation(address: T.address, plan: plan, service: T.authority)
    }

    /// The verdict on a mint with these authorities; `created`: one of the job's transactions shows as succeeded.
    static func verdict(_ expected: MintExpectation, mintAuthority: PublicKey?, freeze: PublicKey? = nil, created: Bool = true) -> MintVerdict {
        MintVerdict.judge(
            account: T.account(data: T.mintData(authority: mintAuthority, freeze: freeze)), signatures: [T.mine[0]],
            statuses: [created ? T.status(.confirmed) : nil], expected: expected)
    }

    static func expectForeign(_ verdict: MintVerdict, saying: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .foreign(let description) = verdict else {
            Issue.record("foreign, not \(verdict)", sourceLocation: sourceLocation)
            return
        }
        #expect(description.contains(saying), "\(description)", sourceLocation: sourceLocation)
    }

    /// Another authority than the job's, and none of the job's transactions shows: foreign when the job's
    /// transaction leaves that authority to none (nobody can set one again); when it leaves it to a holder, that
    /// holder may have changed it since, and the mint is unattributed (it may be the job's: looked at again, never
    /// failed on a node that cannot show the job's transactions).
    static func expectNotTheJobs(_ verdict: MintVerdict, own: PublicKey?, saying: String, sourceLocation: SourceLocation = #_sourceLocation) {
        if own == nil {
            expectForeign(verdict, saying: saying, sourceLocation: sourceLocation)
        } else {
            #expect(verdict == .unattributed, sourceLocation: sourceLocation)
        }
    }

    @Test func eachMintAuthorityChoiceAcceptsTheJobsOwnAndNothingElse() throws {
        let created = MintVerdict.created(by: T.mine[0], confirmed: true)
        let cases: [(IssuerChoices, own: PublicKey?, others: [PublicKey?])] = [
            (.standard, T.authority, [nil, Self.escrow, Self.stranger]),
            (IssuerChoices(mintAuthority: .nobody), nil, [T.authority, Self.stranger]),
            (IssuerChoices(mintAuthority: .address(Self.escrow)), Self.escrow, [nil, T.authority, Self.stranger]),
        ]
        for (choices, own, others) in cases {
            let expected = try Self.expectation(choices)
            #expect(expected.mintAuthority == own)
            #expect(Self.verdict(expected, mintAuthority: own) == created, "\(choices)")
            #expect(Self.verdict(expected, mintAuthority: own, created: false) == .unattributed, "\(choices)")
            for other in others {
                Self.expectNotTheJobs(
                    Self.verdict(expected, mintAuthority: other, created: false), own: own,
                    saying: "has the mint authority \(other.map { "\($0)" } ?? "none"), not the job's")
            }
        }
    }

    @Test func eachFreezeAuthorityChoiceAcceptsTheJobsOwnAndNothingElse() throws {
        let created = MintVerdict.created(by: T.mine[0], confirmed: true)
        let cases: [(IssuerChoices, own: PublicKey?, others: [PublicKey?])] = [
            (.standard, nil, [T.authority, Self.stranger]),
            (IssuerChoices(freezeAuthority: .service), T.authority, [nil, Self.stranger]),
            (IssuerChoices(mintAuthority: .nobody, freezeAuthority: .address(Self.escrow)), Self.escrow, [nil, T.authority, Self.stranger]),
        ]
        for (choices, own, others) in cases {
            let expected = try Self.expectation(choices)
            let mintAuthority = expected.mintAuthority
            #expect(Self.verdict(expected, mintAuthority: mintAuthority, freeze: own) == created, "\(choices)")
            for other in others {
                Self.expectNotTheJobs(
                    Self.verdict(expected, mintAuthority: mintAuthority, freeze: other, created: false), own: own,
                    saying: "has the freeze authority \(other.map { "\($0)" } ?? "none"), not the job's")
            }
        }
    }

    /// The metadata's choices do not change what the mint's authorities must be.
    @Test func metadataChoicesLeaveTheExpectationAlone() throws {
        let expected = try Self.expectation(
            IssuerChoices(metadataUpdateAuthority: .nobody, additionalMetadata: [TokenMetadataField("website", "https://flutterbye.example")]))
        #expect(expected == MintExpectation(address: T.address, program: .token2022, decimals: 6, mintAuthority: T.authority))
    }
}
