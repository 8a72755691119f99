import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import TokenWorker

/// Drives a `SenderMachine` through events at a time the test moves, with jobs and signed transactions built from
/// fixed keys: no I/O, no clock.
struct SenderMachineHarness {
    static let payer = try! Keypair(seed: [UInt8](repeating: 7, count: 32))
    static let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 8, count: 32))
    static let recipient = try! Keypair(seed: [UInt8](repeating: 9, count: 32)).publicKey

    var machine: SenderMachine
    var now: ContinuousClock.Instant

    init(_ configure: (inout SenderMachine.Configuration) -> Void = { _ in }) {
        var configuration = SenderMachine.Configuration(
            mintAuthority: Self.payer.publicKey, payer: Self.payer.publicKey, lease: .seconds(60), maxInFlight: 8, claimBatch: 4,
            claimPollInterval: .seconds(1), statusPollInterval: .milliseconds(400), rebroadcastInterval: .seconds(2))
        configure(&configuration)
        machine = SenderMachine(configuration: configuration)
        now = ContinuousClock.now
    }

    /// Handles `event` now.
    mutating func handle(_ event: SenderEvent) -> [SenderAction] { machine.handle(event, at: now) }

    /// Answers job `id`'s verification with its mint absent, as a node that does not lag answers every look, until the
    /// job leaves (a verdict that would fail a job with stored transactions is asked again for `lagPatience`); the
    /// actions of the last answer.
    mutating func absentUntilItLeaves(_ id: Int64) -> [SenderAction] {
        var actions = handle(.verified(jobID: id, .absent))
        for _ in 0..<100 where actions.outcomes.isEmpty && actions.builds.isEmpty {
            guard tick(after: .seconds(5)).verifies.contains(where: { $0.jobID == id }) else { continue }
            actions = handle(.verified(jobID: id, .absent))
        }
        return actions
    }

    /// Moves time by `duration` and ticks.
    mutating func tick(after duration: Duration = .zero) -> [SenderAction] {
        now = now + duration
        return handle(.tick)
    }

    // MARK: Jobs and transactions

    static func request(_ key: String, maxAttempts: Int = 25, decimals: Int = 2) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: decimals, name: "Job \(key)", symbol: "JOB", uri: "https://x/\(key)",
            amount: "1000", recipient: recipient.base58, memo: nil, maxAttempts: maxAttempts)
    }

    static func mint(_ key: String) -> PublicKey { derivation.keypair(forJobKey: key).publicKey }

    /// A signed transaction of job `key`, with blockhash bytes all `blockhash`.
    static func transaction(_ key: String, blockhash: UInt8) -> Transaction {
        let plan = try! TokenCreationPlan(
            program: .token, decimals: 2, name: "Job \(key)", symbol: "JOB", uri: "https://x/\(key)", amount: 1000,
            recipient: recipient, memo: nil)
        return try! plan.transaction(
            payer: payer, mint: derivation.keypair(forJobKey: key), mintAuthority: payer, mintRentLamports: 1_461_600,
            recentBlockhash: try! Blockhash(bytes: [UInt8](repeating: blockhash, count: 32)), computeUnitLimit: 60_000, computeUnitPrice: 0)
    }

    static func built(_ key: String, blockhash: UInt8, lastValid: UInt64 = 1_150) -> BuiltTransaction {
        BuiltTransaction(transaction: transaction(key, blockhash: blockhash), lastValidBlockHeight: lastValid)
    }

    /// When the harness's jobs were enqueued.
    static let enqueuedAt = Date(timeIntervalSince1970: 1_800_000_000)

    /// A claimed job: `stored` are the transactions it stored before (the last one is its newest).
    static func claimed(
        _ id: Int64, _ key: String, token: Int64 = 100, attempt: Int = 1, maxAttempts: Int = 25, mint: PublicKey? = nil,
        stored: [Transaction] = [], lastValid: UInt64 = 1_150, derivedMint: PublicKey? = nil
    ) -> ClaimedJob {
        let now = Date()
        let job = TokenJob(
            id: id, request: request(key, maxAttempts: maxAttempts), state: .running, attempt: attempt, attemptedBy: "w", leaseToken: token,
            mintAddress: (mint ?? (stored.isEmpty ? nil : Self.mint(key)))?.base58, signature: stored.last?.id.base58,
            signatures: stored.map(\.id.base58), rawTransaction: stored.last?.serialized(), lastValidBlockHeight: stored.isEmpty ? nil : lastValid,
            createdAt: enqueuedAt, updatedAt: now)
        return ClaimedJob(job: job, derivedMint: derivedMint ?? Self.mint(key))
    }

    static func status(_ level: Commitment = .confirmed, error: JSONValue? = nil) -> SignatureStatus {
        SignatureStatus(slot: 10, confirmations: level == .finalized ? nil : 1, error: error, confirmationStatus: level)
    }

    static func lease(_ id: Int64, _ token: Int64 = 100) -> JobLease { JobLease(jobID: id, token: token) }

    // MARK: Taking a job to a step

    /// Claims job `id` (`key`), builds, stores and sends its first transaction (accepted); returns it.
    mutating func following(_ id: Int64, _ key: String, blockhash: UInt8 = 1, lastValid: UInt64 = 1_150) -> Transaction {
        _ = tick()
        _ = handle(.claimed([Self.claimed(id, key)]))
        let built = Self.built(key, blockhash: blockhash, lastValid: lastValid)
        _ = handle(.built([(id, .success(built))]))
        _ = handle(.stored([id], of: [id]))
        _ = handle(.sent([(id, built.transaction.id, .accepted)]))
        return built.transaction
    }
}

extension Array where Element == SenderAction {
    var claims: [(limit: Int, excluding: [Int64])] {
        compactMap { action -> (limit: Int, excluding: [Int64])? in
            guard case .claim(let limit, let excluding) = action else { return nil }
            return (limit, excluding)
        }
    }
    var builds: [BuildOrder] {
        flatMap { action -> [BuildOrder] in
            guard case .build(let orders) = action else { return [] }
            return orders
        }
    }
    var stores: [TransactionSubmission] {
        flatMap { action -> [TransactionSubmission] in
            guard case .store(let submissions) = action else { return [] }
            return submissions
        }
    }
    var sends: [SendOrder] {
        flatMap { action -> [SendOrder] in
            guard case .send(let orders) = action else { return [] }
            return orders
        }
    }
    var polls: [[Signature]] {
        compactMap { action -> [Signature]? in
            guard case .pollStatuses(let signatures) = action else { return nil }
            return signatures
        }
    }
    var verifies: [VerifyOrder] {
        flatMap { action -> [VerifyOrder] in
            guard case .verify(let orders) = action else { return [] }
            return orders
        }
    }
    var outcomes: [JobOutcome] {
        compactMap { action -> JobOutcome? in
            guard case .finish(let outcome) = action else { return nil }
            return outcome
        }
    }
    var renewals: [[JobLease]] {
        compactMap { action -> [JobLease]? in
            guard case .renewLeases(let leases) = action else { return nil }
            return leases
        }
    }
    /// Everything but log lines.
    var effects: [SenderAction] {
        filter { action in
            if case .log = action { return false }
            return true
        }
    }
}
