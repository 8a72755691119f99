/// The step a job in flight is at. `…Due` steps wait for their time (a retry's backoff); the others wait for the
/// answer to the action they issued.
enum Phase: Sendable, Hashable {
    case building
    case buildDue(at: ContinuousClock.Instant)
    case storing(BuiltTransaction)
    case storeDue(BuiltTransaction, at: ContinuousClock.Instant)
    /// A live transaction: sent on schedule, its status polled, until it confirms, fails or expires.
    case following
    case verifying(VerifyReason)
    case verifyDue(VerifyReason, at: ContinuousClock.Instant)
    case writing(JobOutcome)
    case writeDue(JobOutcome, at: ContinuousClock.Instant)
}

/// Why the sender asks whether a job's token exists, which decides what it does when it does not.
enum VerifyReason: Sendable, Hashable {
    /// The live transaction expired without a status: sign again (or fail, if the job may not).
    case expired
    /// The live transaction landed and failed with this error.
    case landedFailed(String)
    /// The live transaction landed and ran out of compute units (its shape's calibration fell short for it).
    case landedOutOfCompute(String)
    /// The preflight refused the live transaction (it never left): fail with this reason.
    case refused(FailureReason)
    /// The chain said the mint address is in use: find out whose mint it is.
    case addressInUse(String)
}
