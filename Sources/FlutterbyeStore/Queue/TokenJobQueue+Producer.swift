import PostgresNIO

/// The producer's side (River's shape): claiming runnable jobs under a lease, and keeping those leases while the jobs run.
extension TokenJobQueue {

    /// Claims up to `limit` runnable jobs (available, or retryable and due), highest priority first, for
    /// `workerID`, each under a new lease token and a lease of `lease`. Jobs locked by another claimer are skipped,
    /// never waited for; so are the jobs in `excluding` (those the claiming worker still runs: after a database stall
    /// longer than the lease, a worker would otherwise claim a job it is running).
    public func claim(workerID: String, limit: Int, lease: Duration, excluding: [Int64] = []) async throws(StoreError) -> [TokenJob] {
        try await database.execute(
            ClaimStatement(limit: Int64(limit), workerID: workerID, leaseMilliseconds: Self.milliseconds(lease), excluding: excluding),
            "claiming jobs")
    }

    /// Extends the leases still held; returns the ids of their jobs (a job missing from the answer was rescued,
    /// claimed again or cancelled: its runner must stop).
    public func renewLeases(_ leases: [JobLease], lease: Duration) async throws(StoreError) -> Set<Int64> {
        guard !leases.isEmpty else { return [] }
        let query: PostgresQuery = """
            UPDATE flutterbye.token_jobs j
            SET lease_expires_at = now() + \(Self.milliseconds(lease)) * interval '1 millisecond', updated_at = now()
            FROM unnest(\(leases.map(\.jobID))::int8[], \(leases.map(\.token))::int8[]) AS l(id, token)
            WHERE j.id = l.id AND j.lease_token = l.token AND \(unescaped: Self.stateGuard(.running, .submitted))
            RETURNING j.id
            """
        var held = Set<Int64>()
        for row in try await run(query, "renewing leases") {
            if let id = try? row.makeRandomAccess()["id"].decode(Int64.self) { held.insert(id) }
        }
        return held
    }
}
