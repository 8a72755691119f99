import ArgumentParser
import FlutterbyeAPI
import FlutterbyeStore
import Foundation
import Logging
import SolanaCore

/// `flutterbye enqueue`: enqueues a token job, the same way the backend's SQL statement does.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Enqueue a token job; prints the job id as JSON. The same idempotency key gives the same job back.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The backend's idempotency key for this token.") var idempotencyKey: String
    @Option(help: "token (the default, as for POST /v1/jobs) or token-2022.") var program = "token"
    @Option(help: "Decimals, 0 to 9.") var decimals: Int
    @Option(help: "Token name, at most 32 bytes.") var name: String
    @Option(help: "Token symbol, at most 10 bytes.") var symbol: String
    @Option(help: "Metadata URI, at most 200 bytes.") var uri: String
    @Option(help: "Supply to mint, in base units (an integer that fits in 64 bits).") var amount: String
    @Option(help: "The wallet (base58) that receives the supply.") var recipient: String
    @Option(help: "An optional memo recorded with the transaction.") var memo: String?
    @Option(help: "Priority, -100 to 100; higher runs first.") var priority = 0
    @Option(help: "Not before this time, RFC 3339 (2026-01-31T12:00:00Z); default now.") var scheduledAt: String?
    @Option(help: "Attempts before the job fails, 1 to 1000.") var maxAttempts = 25
    @Option(help: "After minting: keep (the service keeps it), revoke (a fixed supply) or the address to hand it to.")
    var mintAuthority = "keep"
    @Option(help: "none, ours (the service's mint authority key) or an address.") var freezeAuthority = "none"
    @Option(help: "Token-2022: who may update the metadata afterwards: ours (default), none or an address.")
    var metadataUpdateAuthority: String?
    @Option(help: "Token-2022: an additional metadata field KEY=VALUE (repeat it for several, in order).")
    var metadataField: [String] = []

    func run() async throws {
        var fields: [TokenMetadataField] = []
        for field in metadataField {
            guard let equals = field.firstIndex(of: "=") else {
                throw CommandFailure("--metadata-field takes KEY=VALUE, not '\(field)'")
            }
            fields.append(TokenMetadataField(String(field[..<equals]), String(field[field.index(after: equals)...])))
        }
        var scheduled: Date?
        if let scheduledAt {
            guard let date = RFC3339Timestamp.date(from: scheduledAt) else {
                throw CommandFailure("--scheduled-at must be an RFC 3339 timestamp, such as 2026-01-31T12:00:00Z, not '\(scheduledAt)'")
            }
            scheduled = date
        }
        let request = TokenJobRequest(
            idempotencyKey: idempotencyKey, tokenProgram: program, decimals: decimals, name: name, symbol: symbol, uri: uri,
            amount: amount, recipient: recipient, memo: memo, priority: priority, scheduledAt: scheduled, maxAttempts: maxAttempts,
            mintAuthority: mintAuthority, freezeAuthority: freezeAuthority,
            metadataUpdateAuthority: metadataUpdateAuthority, additionalMetadata: fields)
        let result: TokenJobEnqueueResult
        do {
            result = try await database.withClient { client in
                try await TokenJobQueue(client: client, logger: Logger(label: "flutterbye.enqueue")).enqueue(request)
            }
        } catch let error as StoreError {
            throw CommandFailure(error.message)
        }
        print("{\"job_id\": \(result.jobID), \"inserted\": \(result.inserted), \"state\": \"\(result.state.rawValue)\"}")
    }
}
