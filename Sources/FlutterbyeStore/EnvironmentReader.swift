import Foundation
public import Logging

/// Every problem found in a command's configuration, reported together so an operator fixes them in one go.
/// Messages name the variable and never contain a secret's value.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// One line per problem.
    public let problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        "the configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Reads settings from environment variables and collects what is wrong with them, for `ConfigurationError`: the
/// shared part of the worker's and the indexer's settings.
public struct EnvironmentReader {
    public let environment: [String: String]
    /// The problems found so far, one line each.
    public var problems: [String] = []

    public init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// The trimmed value of `name`; nil when unset or blank.
    public func value(_ name: String) -> String? {
        guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        return raw
    }

    /// The first of `names` that is set, with its name (for the seeds' alternative names).
    public func firstValue(_ names: [String]) -> (name: String, value: String)? {
        for name in names { if let value = value(name) { return (name, value) } }
        return nil
    }

    /// A whole number in `range`, `fallback` when unset.
    public mutating func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = value(name) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            problems.append("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), not '\(text)'")
            return fallback
        }
        return number
    }

    /// `DATABASE_URL`, required.
    public mutating func database() -> DatabaseConfiguration? {
        guard let url = value("DATABASE_URL") else {
            problems.append("DATABASE_URL is not set: the PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE")
            return nil
        }
        do { return try DatabaseConfiguration(url: url) } catch {
            problems.append("DATABASE_URL: \(error.message)")
            return nil
        }
    }

    /// `FLUTTERBYE_LOG_LEVEL`, default info.
    public mutating func logLevel() -> Logger.Level {
        guard let text = value("FLUTTERBYE_LOG_LEVEL") else { return .info }
        if let level = Logger.Level(rawValue: text.lowercased()) { return level }
        problems.append("FLUTTERBYE_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        return .info
    }
}
