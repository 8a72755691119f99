public import Foundation
public import Logging
public import PostgresNIO

/// The fingerprints of the keys the database's rows depend on (`flutterbye.key_fingerprints`): one-way hashes, never
/// the keys. The first worker records its master seed's; every later one compares its own with it.
public struct KeyFingerprints: Sendable {
    /// A recorded fingerprint and when it was recorded.
    public struct Record: Sendable, Hashable {
        public var fingerprint: String
        public var recordedAt: Date
    }

    /// The name the master seed's fingerprint is recorded under.
    public static let masterSeed = "master_seed"

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Records `fingerprint` under `name` unless one is recorded already, and returns the one recorded (this one, or
    /// the earlier one, which the caller compares with its own).
    public func record(_ name: String, fingerprint: String) async throws(StoreError) -> Record {
        // A statement that lost the race to a concurrent first recording sees neither row (its snapshot predates the
        // other's commit); the next statement sees it.
        for _ in 0..<2 {
            if let record = try await recordOnce(name, fingerprint: fingerprint) { return record }
        }
        throw StoreError(.queryFailed, "recording the \(name) fingerprint returned no row")
    }

    private func recordOnce(_ name: String, fingerprint: String) async throws(StoreError) -> Record? {
        let doing = "recording the \(name) fingerprint"
        do {
            let rows = try await client.query(
                """
                WITH inserted AS (
                    INSERT INTO flutterbye.key_fingerprints (name, fingerprint) VALUES (\(name), \(fingerprint))
                    ON CONFLICT (name) DO NOTHING
                    RETURNING fingerprint, recorded_at
                )
                SELECT fingerprint, recorded_at FROM inserted
                UNION ALL
                SELECT fingerprint, recorded_at FROM flutterbye.key_fingerprints WHERE name = \(name)
                LIMIT 1
                """, logger: logger)
            for try await (recorded, at) in rows.decode((String, Date).self) { return Record(fingerprint: recorded, recordedAt: at) }
            return nil
        } catch {
            throw StoreError.statementFailed(error, while: doing)
        }
    }
}
