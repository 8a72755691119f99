public import Foundation
import SolanaCore

/// One failed attempt of a job, kept in the job's history.
public struct TokenJobAttemptError: Sendable, Hashable, Codable {
    /// How the error was classified: `transient`, `permanent`, `insufficient_funds`, `lease_expired`, ...
    public var errorClass: String
    /// What happened, for an operator (never secrets).
    public var message: String
    /// The attempt number it happened in.
    public var attempt: Int
    public var at: Date

    public init(errorClass: String, message: String, attempt: Int, at: Date) {
        self.errorClass = errorClass
        self.message = message
        self.attempt = attempt
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case errorClass = "class"
        case message, attempt, at
    }
}
