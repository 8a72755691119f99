import FlutterbyeStore
import Foundation
import SolanaCore

/// A token job as the API shows it: the request, where the job stands, every failed attempt with its error, the
/// signature and mint once known, with explorer links, and the timestamps. Never the signed transaction's bytes.
struct JobResource: Encodable, Sendable {
    struct AttemptError: Encodable, Sendable {
        var `class`: String
        var message: String
        var attempt: Int
        var at: Date
    }

    var id: Int64
    var idempotencyKey: String
    var state: String
    var tokenProgram: String
    var decimals: Int
    var name: String
    var symbol: String
    var uri: String
    var amount: String
    var recipient: String
    var memo: String?
    var priority: Int
    var maxAttempts: Int
    var attempts: Int
    var errors: [AttemptError]
    var mintAddress: String?
    var signature: String?
    var explorerURL: String?
    var mintExplorerURL: String?
    var scheduledAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var submittedAt: Date?
    var confirmedAt: Date?
    var finalizedAt: Date?
    var finishedAt: Date?
    /// Members of their own, written into the same object.
    var choices: IssuerChoicesResource

    init(_ job: TokenJob, cluster: SolanaCluster) {
        id = job.id
        idempotencyKey = job.request.idempotencyKey
        state = job.state.rawValue
        tokenProgram = job.request.tokenProgram
        decimals = job.request.decimals
        name = job.request.name
        symbol = job.request.symbol
        uri = job.request.uri
        amount = job.request.amount
        recipient = job.request.recipient
        memo = job.request.memo
        priority = job.request.priority
        maxAttempts = job.request.maxAttempts
        attempts = job.attempt
        errors = job.errors.map { AttemptError(class: $0.errorClass, message: $0.message, attempt: $0.attempt, at: $0.at) }
        mintAddress = job.mintAddress
        signature = job.signature
        explorerURL = job.signature.map { cluster.explorerURL(transaction: $0) }
        mintExplorerURL = job.mintAddress.map { cluster.explorerURL(address: $0) }
        scheduledAt = job.request.scheduledAt
        createdAt = job.createdAt
        updatedAt = job.updatedAt
        submittedAt = job.submittedAt
        confirmedAt = job.confirmedAt
        finalizedAt = job.finalizedAt
        finishedAt = job.finishedAt
        choices = IssuerChoicesResource(job.request)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case idempotencyKey = "idempotency_key"
        case state
        case tokenProgram = "token_program"
        case decimals, name, symbol, uri, amount,
            recipient, memo, priority
        case maxAttempts = "max_attempts"
        case attempts, errors
        case mintAddress = "mint_address"
        case signature
        case explorerURL = "explorer_url"
        case mintExplorerURL = "mint_explorer_url"
        case scheduledAt = "scheduled_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case submittedAt = "submitted_at"
        case confirmedAt = "confirmed_at"
        case finalizedAt = "finalized_at"
        case finishedAt = "finished_at"
    }

    /// Optional members are written as null rather than left out, so that every job has the same keys.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(idempotencyKey, forKey: .idempotencyKey)
        try c.encode(state, forKey: .state)
        try c.encode(tokenProgram, forKey: .tokenProgram)
        try c.encode(decimals, forKey: .decimals)
        try c.encode(name, forKey: .name)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(uri, forKey: .uri)
        try c.encode(amount, forKey: .amount)
        try c.encode(recipient, forKey: .recipient)
        try c.encode(memo, forKey: .memo)
        try c.encode(priority, forKey: .priority)
        try c.encode(maxAttempts, forKey: .maxAttempts)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(errors, forKey: .errors)
        try c.encode(mintAddress, forKey: .mintAddress)
        try c.encode(signature, forKey: .signature)
        try c.encode(explorerURL, forKey: .explorerURL)
        try c.encode(mintExplorerURL, forKey: .mintExplorerURL)
        try c.encode(scheduledAt, forKey: .scheduledAt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(submittedAt, forKey: .submittedAt)
        try c.encode(confirmedAt, forKey: .confirmedAt)
        try c.encode(finalizedAt, forKey: .finalizedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try choices.encode(to: encoder)
    }
}

/// A page of jobs and the cursor of the next page (null on the last).
struct JobPage: Encodable, Sendable {
    var jobs: [JobResource]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
