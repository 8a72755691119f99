public import FlutterbyeStore
public import Foundation

/// Why a worker refuses to start: its master seed is not the one this database's jobs were made with, so a retried
/// job would get another mint address, and a second token. Names the variable and the beginnings of both fingerprints,
/// never the seed; printed as a configuration problem, as the start's other refusals are.
public struct MasterSeedMismatch: ConfigurationProblems, Sendable {
    /// The fingerprint recorded by the first worker, and when.
    public var recordedFingerprint: String
    public var recordedAt: Date
    /// This worker's seed's fingerprint.
    public var fingerprint: String

    public init(recordedFingerprint: String, recordedAt: Date, fingerprint: String) {
        self.recordedFingerprint = recordedFingerprint
        self.recordedAt = recordedAt
        self.fingerprint = fingerprint
    }

    /// The problem, in one line.
    public var problem: String {
        "FLUTTERBYE_MASTER_SEED is not the seed this database's jobs were made with (its fingerprint begins \(recordedFingerprint.prefix(12)), recorded \(recordedAt); this worker's begins \(fingerprint.prefix(12))). Every job's mint address derives from the seed: with another one, a retried job would get a second token. Start the worker with the original seed"
    }

    public var problems: [String] { [problem] }
}
