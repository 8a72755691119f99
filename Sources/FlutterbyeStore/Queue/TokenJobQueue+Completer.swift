public import Foundation
import PostgresNIO
import SolanaCore

/// The completer (River's shape): the sender's steps, each written before the sender acts on it and guarded by the
/// claim's lease; concurrent ones share a statement.
extension TokenJobQueue {
    /// Stores signed transactions before their first send: their signatures join each job's `signatures`, and the newest
    /// becomes the job's `signature`, `raw_transaction` and `last_valid_block_height`; the job's mint address is
    /// stored with its first transaction. Returns the ids stored; a job missing from the answer is no longer held
    /// under its lease, or already stored another mint address: its transaction must not be sent. Storing the same
    /// transaction again changes nothing. Concurrent calls share one UPDATE statement.
    public func recordSubmissions(_ submissions: [TransactionSubmission]) async throws(StoreError) -> Set<Int64> {
        guard !submissions.isEmpty else { return [] }
        return try await submitter.submit(submissions).get()
    }

    /// `recordSubmissions` of one transaction; throws `invalidJobState` when the lease is lost.
    public func recordSubmission(_ submission: TransactionSubmission) async throws(StoreError) {
        guard try await recordSubmissions([submission]).contains(submission.lease.jobID) else {
            throw StoreError.leaseLost(submission.lease, "storing a transaction")
        }
    }

    /// Marks jobs confirmed with the signature of their transaction that landed. Returns the ids marked; a job missing
    /// from the answer is no longer held under its lease and was left alone. Concurrent calls (many jobs confirming at
    /// once) share one UPDATE statement.
    public func markConfirmed(_ confirmations: [(lease: JobLease, signature: String)]) async throws(StoreError) -> Set<Int64> {
        guard !confirmations.isEmpty else { return [] }
        return try await confirmer.submit(confirmations.map { Confirmation(lease: $0.lease, signature: $0.signature) }).get()
    }

    /// `markConfirmed` of one job; throws `invalidJobState` when the lease is lost.
    public func markConfirmed(_ lease: JobLease, signature: String) async throws(StoreError) {
        guard try await markConfirmed([(lease, signature)]).contains(lease.jobID) else {
            throw StoreError.leaseLost(lease, "marking the job confirmed")
        }
    }

    /// The most characters of a failure's message a job's errors keep, per attempt.
    static let failureMessageLimit = 4_000

    /// Records a failed attempt. A permanent error fails the job; a transient one makes it retryable at `retryAt`, or
    /// fails it when its attempts are used up and it never stored a transaction (neither `signatures` nor `signature`: a
    /// row may have one without the other). A job with stored transactions is never failed for used-up attempts here:
    /// one of them may still land, so it stays retryable and its next runner checks what landed before failing it. Returns the state the job is in now.
    @discardableResult
    public func recordFailure(
        _ lease: JobLease, errorClass: String, message: String, permanent: Bool, retryAt: Date
    ) async throws(StoreError) -> TokenJobState {
        // Partly a provider's words (a node's error, a simulation's logs), kept for every attempt: bounded.
        let message = ErrorText.bounded(message, limit: Self.failureMessageLimit)
        let query: PostgresQuery = """
            UPDATE flutterbye.token_jobs
            SET state = CASE WHEN \(permanent) OR (attempt >= max_attempts AND \(unescaped: Self.storedNoTransaction()))
                    THEN 'failed' ELSE 'retryable' END,
                finished_at = CASE WHEN \(permanent) OR (attempt >= max_attempts AND \(unescaped: Self.storedNoTransaction()))
                    THEN now() END,
                scheduled_at = \(retryAt), lease_expires_at = NULL, updated_at = now(),
                errors = \(unescaped: Self.errorsWithRoom()) || jsonb_build_array(jsonb_build_object(
                    'class', \(errorClass)::text, 'message', \(message)::text, 'attempt', attempt, 'at', now()))
            WHERE id = \(lease.jobID) AND lease_token = \(lease.token) AND \(unescaped: Self.stateGuard(.running, .submitted, alias: nil))
            RETURNING state
            """
        let rows = try await run(query, "recording a failure of \(lease)")
        guard let state = try? rows.first?.makeRandomAccess()["state"].decode(String.self) else {
            throw StoreError.leaseLost(lease, "recording a failure")
        }
        return TokenJobState(rawValue: state) ?? .failed
    }

    /// Lets go of jobs without counting their attempts (graceful shutdown): back to available, or retryable if they
    /// stored a transaction, so the next worker resumes them within the attempt given back. Returns the ids released.
    @discardableResult
    public func release(_ leases: [JobLease]) async throws(StoreError) -> Set<Int64> {
        guard !leases.isEmpty else { return [] }
        var released = Set<Int64>()
        for row in try await run(
            """
            UPDATE flutterbye.token_jobs j
            SET state = CASE WHEN \(unescaped: Self.storedNoTransaction(alias: "j")) THEN 'available' ELSE 'retryable' END,
                attempt = greatest(j.attempt - 1, 0),
                scheduled_at = now(), lease_expires_at = NULL, updated_at = now()
            FROM unnest(\(leases.map(\.jobID))::int8[], \(leases.map(\.token))::int8[]) AS l(id, token)
            WHERE j.id = l.id AND j.lease_token = l.token AND \(unescaped: Self.stateGuard(.running, .submitted))
            RETURNING j.id
            """, "releasing \(leases.count) job(s)")
        {
            if let id = try? row.makeRandomAccess()["id"].decode(Int64.self) { released.insert(id) }
        }
        return released
    }

    /// `release` of one job.
    public func release(_ lease: JobLease) async throws(StoreError) {
        try await release([lease])
    }
}
