import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The job's memo is the backend's text, and the Memo program logs it: a preflight refusal's logs hold it, and what
/// it says is not the chain's word.
@Suite struct MemoTextTests {
    typealias H = SenderMachineHarness

    /// The memo the backend chose ("... already in use ..."), as the SPL Memo program logs it.
    static let memo = "order 42: the old delivery address already in use"
    static let memoLog = "Program log: Memo (len \(memo.utf8.count)): \"\(memo)\""

    /// A node's preflight refusal of the job's transaction when the fee payer could pay for it but would be left
    /// below the rent-exempt minimum: the runtime checks rent after every instruction ran, so the simulation's logs hold
    /// the whole transaction's, the memo's line included.
    static func payerShortOfRent() -> RPCError {
        let system = "Program 11111111111111111111111111111111"
        let budget = "Program ComputeBudget111111111111111111111111111111"
        let token = "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
        let ata = "Program ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
        let memoProgram = "Program MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"
        let logs = [
            "\(budget) invoke [1]", "\(budget) success", "\(budget) invoke [1]", "\(budget) success",
            "\(system) invoke [1]", "\(system) success", "\(system) invoke [1]", "\(system) success", "\(system) invoke [1]", "\(system) success",
            "\(token) invoke [1]", "Program log: Instruction: InitializeMint2", "\(token) consumed 2920 of 57000 compute units", "\(token) success",
            "\(ata) invoke [1]", "Program log: CreateIdempotent", "\(ata) consumed 20348 of 54080 compute units", "\(ata) success",
            "\(token) invoke [1]", "Program log: Instruction: MintTo", "\(token) consumed 4492 of 33732 compute units", "\(token) success",
            "\(memoProgram) invoke [1]", "Program log: Signed by \(H.payer.publicKey)", memoLog,
            "\(memoProgram) consumed 6931 of 29240 compute units", "\(memoProgram) success",
        ]
        return RPCError(
            .rpc, "Transaction simulation failed: Transaction results in an account (0) with insufficient funds for rent", rpcCode: -32002,
            data: [
                "err": ["InsufficientFundsForRent": ["account_index": 0]], "logs": .array(logs.map { .string($0) }), "accounts": .null,
                "unitsConsumed": 62291,
            ])
    }

    /// The payer cannot keep its rent after paying for the transaction: the README's `insufficient_funds` ("names the
    /// account to fund"). Because the job's memo contains "already in use", the refusal is read as the mint address
    /// being taken (`PreflightRefusal.classify` looks for that text in every log line before it looks at the error).
    @Test func aMemoSayingAlreadyInUseDoesNotTurnThePayersLackOfFundsIntoATakenMintAddress() {
        let outcome = SendOutcome.classify(Self.payerShortOfRent())
        guard case .refused(.insufficientFunds) = outcome else {
            Issue.record("the payer's lack of funds, read as \(outcome)")
            return
        }
    }

    /// What that misreading does to the job: its first send (with the preflight, the payer's balance unknown) is
    /// refused for the payer's funds; the machine looks for a mint it thinks the chain says exists, the node (rightly)
    /// reads nothing there, and the machine takes that for a lagging node and looks again, for ever: the job holds its
    /// lease and a place of the budget, with no error recorded and no outcome, never failed as `insufficient_funds`
    /// (funding the payer does not help: the refused transaction is never sent again).
    @Test func aJobWhoseMemoSaysAlreadyInUseIsNotHeldForEverWhenThePayerIsShort() {
        var h = H()
        let key = "memo"
        let request = TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 2, name: "Job \(key)", symbol: "JOB", uri: "https://x/\(key)", amount: "1000",
            recipient: H.recipient.base58, memo: Self.memo)
        let plan = try! request.plan()
        let transaction = try! plan.transaction(
            payer: H.payer, mint: H.derivation.keypair(forJobKey: key), mintAuthority: H.payer, mintRentLamports: 1_461_600,
            recentBlockhash: try! Blockhash(bytes: [UInt8](repeating: 1, count: 32)), computeUnitLimit: 90_000, computeUnitPrice: 0)
        _ = h.tick()
        let job = TokenJob(
            id: 1, request: request, state: .running, attempt: 1, attemptedBy: "w", leaseToken: 100, createdAt: H.enqueuedAt, updatedAt: Date())
        var actions = h.handle(.claimed([ClaimedJob(job: job, derivedMint: H.mint(key))]))
        #expect(actions.builds.count == 1)
        _ = h.handle(.built([(1, .success(BuiltTransaction(transaction: transaction, lastValidBlockHeight: 1_150)))]))
        actions = h.handle(.stored([1], of: [1]))
        #expect(actions.sends.map(\.preflight) == [true], "the first send goes with the preflight: the payer's balance is unknown")
        _ = h.handle(.blockHeight(1_000))
        var effects: [SenderAction] = []
        let refusal = SendOutcome.classify(Self.payerShortOfRent())
        var next = h.handle(.sent([(jobID: Int64(1), signature: transaction.id, outcome: refusal)]))
        var height: UInt64 = 1_000
        for _ in 0..<600 {  // ten minutes; the node answers what is there: nothing at the mint address
            while !next.isEmpty {
                effects += next.effects
                next = next.verifies.isEmpty ? [] : h.handle(.verified(jobID: 1, .absent))
            }
            if !effects.outcomes.isEmpty { break }
            let actions = h.tick(after: .seconds(1))
            if let renewal = actions.renewals.first { _ = h.handle(.leasesRenewed(held: [1], asked: renewal, askedAt: h.now)) }
            if let poll = actions.polls.first { next += h.handle(.statuses(Dictionary(uniqueKeysWithValues: poll.map { ($0, nil) }))) }
            height += 3
            next += actions + h.handle(.blockHeight(height))
        }
        let failures = effects.outcomes.compactMap { outcome -> String? in
            if case .fail(_, let errorClass, _) = outcome { errorClass } else { nil }
        }
        #expect(failures == ["insufficient_funds"], "ten minutes later the job is still in flight with no outcome: \(effects.outcomes)")
    }
}
