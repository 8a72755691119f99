import Foundation
public import SolanaCore

/// What simulating a transaction showed: its error, logs and compute units.
public struct SimulationResult: Sendable, Hashable {
    public var error: JSONValue?
    public var logs: [String]
    public var unitsConsumed: UInt64?
    public var succeeded: Bool { error == nil || error == .null }
}
