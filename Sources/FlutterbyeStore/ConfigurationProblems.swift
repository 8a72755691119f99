/// A refusal to start because of the configuration, printed the one way every such refusal is: the number of problems,
/// then one indented line each. Here, below the parts that refuse (the worker's master seed check, the service's
/// reading of the environment), so that each of them prints it alike.
public protocol ConfigurationProblems: Error, CustomStringConvertible {
    /// One line per problem, naming the variable and never a secret's value.
    var problems: [String] { get }
}

extension ConfigurationProblems {
    public var description: String {
        "the configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
