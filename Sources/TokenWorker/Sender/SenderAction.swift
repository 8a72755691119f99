public import FlutterbyeStore
import Foundation
public import Logging
public import SolanaCore

/// What the sender's state machine asks its I/O loop to do. Each action's result comes back as a `SenderEvent`.
public enum SenderAction: Sendable, Hashable {
    /// Claim up to `limit` jobs, never one of `excluding` (the jobs in flight here).
    case claim(limit: Int, excluding: [Int64])
    /// Build and sign these jobs' transactions with the shared recent blockhash, fee and compute-unit limit
    /// (`.built`).
    case build([BuildOrder])
    /// Store these signed transactions before their first send (`.stored`).
    case store([TransactionSubmission])
    /// Send these transactions, in one batch (`.sent`).
    case send([SendOrder])
    /// Ask the statuses of these signatures (`.statuses`).
    case pollStatuses([Signature])
    /// Find out whether these jobs' tokens exist, all in one read of their mint accounts and one of their transactions'
    /// statuses (a `.verified` for each job). The machine asks once per event for every job due.
    case verify([VerifyOrder])
    /// Write a job's outcome (`.written`).
    case finish(JobOutcome)
    /// Renew these leases (`.leasesRenewed`).
    case renewLeases([JobLease])
    /// Tell the operator (a log line); `job` names the job it is about, if any.
    case log(Logger.Level, String, job: Int64?)
}
