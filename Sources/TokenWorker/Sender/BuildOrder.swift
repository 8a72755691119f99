public import SolanaCore

/// A job whose transaction is to be built: the plan, the mint (whose keypair the loop derives from the idempotency
/// key; the machine never holds secrets), and whether to simulate this very transaction for its compute units (after
/// it ran out of them) instead of using its shape's calibration.
public struct BuildOrder: Sendable, Hashable {
    public var jobID: Int64
    public var idempotencyKey: String
    public var plan: TokenCreationPlan
    public var mint: PublicKey
    public var simulateOwnUnits: Bool

    public init(jobID: Int64, idempotencyKey: String, plan: TokenCreationPlan, mint: PublicKey, simulateOwnUnits: Bool) {
        self.jobID = jobID
        self.idempotencyKey = idempotencyKey
        self.plan = plan
        self.mint = mint
        self.simulateOwnUnits = simulateOwnUnits
    }
}
