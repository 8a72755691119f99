import Foundation
import Testing
import TokenWorker

/// A worker started with another master seed than the database's jobs were made with is refused as a configuration
/// problem, printed as every refusal of the configuration is: the variable, the beginnings of both fingerprints.
struct MasterSeedMismatchTests {
    @Test func printsAsTheConfigurationsOneProblem() {
        let mismatch = MasterSeedMismatch(
            recordedFingerprint: "0123456789abcdef0123", recordedAt: Date(timeIntervalSince1970: 0), fingerprint: "fedcba9876543210fedc")
        #expect(
            "\(mismatch)"
                == "the configuration has 1 problem:\n  - FLUTTERBYE_MASTER_SEED is not the seed this database's jobs were made with "
                + "(its fingerprint begins 0123456789ab, recorded 1970-01-01 00:00:00 +0000; this worker's begins fedcba987654). "
                + "Every job's mint address derives from the seed: with another one, a retried job would get a second token. "
                + "Start the worker with the original seed")
    }
}
