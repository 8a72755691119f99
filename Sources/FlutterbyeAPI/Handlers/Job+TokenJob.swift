import FlutterbyeStore
import SolanaCore

/// A token job as the API shows it (the document's `Job`): the request, where the job stands, every failed attempt
/// with its error, the signature and mint once known, with explorer links, the timestamps, and the issuer's choices
/// (mint and freeze authority, Token-2022 metadata's update authority and additional fields). Never the signed
/// transaction's bytes.
extension Components.Schemas.Job {
    init(_ job: TokenJob, cluster: SolanaCluster) throws {
        guard let tokenProgram = TokenProgramPayload(rawValue: job.request.tokenProgram) else {
            throw UndocumentedValue(description: "job \(job.id) has the token program \(job.request.tokenProgram)")
        }
        guard let state = Components.Schemas.JobState(rawValue: job.state.rawValue) else {
            throw UndocumentedValue(description: "job \(job.id) is in the state \(job.state.rawValue)")
        }
        self.init(
            id: job.id, idempotencyKey: job.request.idempotencyKey, state: state, tokenProgram: tokenProgram,
            decimals: job.request.decimals, name: job.request.name, symbol: job.request.symbol, uri: job.request.uri,
            amount: job.request.amount, recipient: job.request.recipient, memo: .init(job.request.memo), priority: job.request.priority,
            maxAttempts: job.request.maxAttempts, attempts: job.attempt,
            errors: job.errors.map { .init(_class: $0.errorClass, message: $0.message, attempt: $0.attempt, at: $0.at) },
            mintAddress: .init(job.mintAddress), signature: .init(job.signature),
            explorerURL: .init(job.signature.map { cluster.explorerURL(transaction: $0) }),
            mintExplorerURL: .init(job.mintAddress.map { cluster.explorerURL(address: $0) }), scheduledAt: .init(job.request.scheduledAt),
            createdAt: job.createdAt, updatedAt: job.updatedAt, submittedAt: .init(job.submittedAt), confirmedAt: .init(job.confirmedAt),
            finalizedAt: .init(job.finalizedAt), finishedAt: .init(job.finishedAt), mintAuthority: job.request.mintAuthority,
            freezeAuthority: job.request.freezeAuthority, metadataUpdateAuthority: .init(job.request.storedMetadataUpdateAuthority),
            additionalMetadata: job.request.additionalMetadata.map { [$0.key, $0.value] })
    }
}
