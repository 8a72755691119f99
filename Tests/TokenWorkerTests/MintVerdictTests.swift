import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// Whether a job's token exists, judged strictly: lamports anyone can send prove nothing, something else at the
/// address is named, and the token counts only with one of the job's own transactions as its creator.
@Suite struct MintVerdictTests {
    static let authority = try! Keypair(seed: [UInt8](repeating: 3, count: 32)).publicKey
    static let address = try! Keypair(seed: [UInt8](repeating: 4, count: 32)).publicKey
    static let expected = MintExpectation(address: address, program: .token2022, decimals: 6, mintAuthority: authority)
    static let mine = (1...3).map { try! Keypair(seed: [UInt8](repeating: UInt8(10 + $0), count: 32)).sign([UInt8($0)]) }

    /// A mint account's first 82 bytes as the SPL Token layout has them: COption<Pubkey> mint authority, u64 supply,
    /// u8 decimals, bool initialized, COption<Pubkey> freeze authority.
    static func mintData(
        authority: PublicKey? = MintVerdictTests.authority, decimals: UInt8 = 6, initialized: Bool = true, freeze: PublicKey? = nil
    ) -> [UInt8] {
        var data: [UInt8] = []
        data += authority == nil ? [0, 0, 0, 0] + [UInt8](repeating: 0, count: 32) : [1, 0, 0, 0] + authority!.bytes
        data += withUnsafeBytes(of: UInt64(1_000).littleEndian, Array.init)
        data += [decimals, initialized ? 1 : 0]
        data += freeze == nil ? [0, 0, 0, 0] + [UInt8](repeating: 0, count: 32) : [1, 0, 0, 0] + freeze!.bytes
        return data + [UInt8](repeating: 0, count: 152)  // Token-2022 extensions follow; not read
    }

    static func account(owner: PublicKey = TokenProgram.token2022.programID, data: [UInt8] = mintData(), lamports: UInt64 = 3_000_000) -> AccountInfo
    {
        AccountInfo(lamports: lamports, owner: owner, data: data, executable: false)
    }

    static func status(_ level: Commitment, failed: Bool = false) -> SignatureStatus {
        SignatureStatus(slot: 5, confirmations: nil, error: failed ? ["InstructionError": [2, ["Custom": 0]]] : nil, confirmationStatus: level)
    }

    func judge(_ account: AccountInfo?, _ statuses: [SignatureStatus?]) -> MintVerdict {
        MintVerdict.judge(account: account, signatures: Array(Self.mine.prefix(statuses.count)), statuses: statuses, expected: Self.expected)
    }

    @Test func nothingOrOnlyLamportsAtTheAddressIsAbsent() {
        #expect(judge(nil, [nil]) == .absent)
        // A stranger's 0.001 SOL: a System account without data.
        #expect(judge(Self.account(owner: SystemProgram.programID, data: [], lamports: 1_000_000), [nil, nil]) == .absent)
    }

    @Test func theJobsMintCountsOnlyWithOneOfItsOwnTransactionsAsCreator() {
        #expect(judge(Self.account(), [nil, Self.status(.confirmed)]) == .created(by: Self.mine[1], confirmed: true))
        #expect(judge(Self.account(), [Self.status(.processed)]) == .created(by: Self.mine[0], confirmed: false))
        // A confirmed creator is preferred to a processed one.
        #expect(judge(Self.account(), [Self.status(.processed), Self.status(.finalized)]) == .created(by: Self.mine[1], confirmed: true))
        // A transaction that landed failing created nothing.
        #expect(judge(Self.account(), [Self.status(.confirmed, failed: true)]) == .unattributed)
        #expect(judge(Self.account(), [nil, nil]) == .unattributed)
    }

    @Test func aSuccessWhoseMintIsNotVisibleIsUnknownNotAbsent() {
        guard case .unknown(let detail) = judge(nil, [Self.status(.confirmed)]) else {
            Issue.record("unknown")
            return
        }
        #expect(detail.contains(Self.mine[0].base58))
    }

    @Test func anythingElseAtTheAddressIsForeignAndNamed() {
        let stake = try! PublicKey(base58: "Stake11111111111111111111111111111111111111")
        let cases: [(AccountInfo, String)] = [
            (Self.account(owner: SystemProgram.programID, data: [1, 2, 3]), "System account with 3 bytes"),
            (Self.account(owner: stake), "owned by the program \(stake)"),
            (Self.account(owner: TokenProgram.token.programID), "owned by the program \(TokenProgram.token.programID)"),
            (Self.account(data: [UInt8](repeating: 0, count: 40)), "not a mint"),
            (Self.account(data: Self.mintData(initialized: false)), "uninitialized"),
            (Self.account(data: Self.mintData(decimals: 9)), "9 decimals"),
        ]
        // Whether or not one of the job's transactions shows as having succeeded: none of these can be its mint.
        // Another mint authority is never foreign (`MintVerdictChoicesTests`): the job leaves its mint authority to
        // the service, which may have changed it since; with one of the job's transactions, the token is the job's.
        let judged: [(AccountInfo, String, [SignatureStatus?])] = cases.flatMap { [($0.0, $0.1, [Self.status(.confirmed)]), ($0.0, $0.1, [nil])] }
        for (account, says, statuses) in judged {
            guard case .foreign(let description) = judge(account, statuses) else {
                Issue.record("foreign: \(says), statuses \(statuses)")
                continue
            }
            #expect(description.contains(Self.address.base58), "\(description)")
            #expect(description.contains(says), "\(description)")
        }
    }
}
