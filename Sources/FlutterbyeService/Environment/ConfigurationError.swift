public import FlutterbyeStore

/// Every problem found in a command's configuration, reported together so an operator fixes them in one go.
/// Messages name the variable and never contain a secret's value.
public struct ConfigurationError: ConfigurationProblems, Sendable {
    /// One line per problem.
    public let problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }
}
