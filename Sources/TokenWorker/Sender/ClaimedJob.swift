public import FlutterbyeStore
public import SolanaCore

/// A claimed job and the mint address this worker derives for it (the state machine never sees the master seed).
public struct ClaimedJob: Sendable, Hashable {
    public var job: TokenJob
    public var derivedMint: PublicKey

    public init(job: TokenJob, derivedMint: PublicKey) {
        self.job = job
        self.derivedMint = derivedMint
    }
}
