import Configuration
import Foundation

/// The environment variables the service reads: the one place they come from. Values are read by their exact names
/// through swift-configuration (a `ConfigReader` over an `EnvironmentVariablesProvider`), with the variables that hold
/// secrets marked secret, so that an access log (`CONFIG_ACCESS_LOG_FILE`) shows them redacted. Printed or dumped, it
/// shows how many variables it holds, never a value (the process's other variables may be secrets too).
public struct ServiceEnvironment: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The variables whose values are secret: keys, the master seed, the API tokens, and URLs that may carry a password
    /// or a provider's key.
    public static let secretNames: Set<String> = [
        "SOLANA_PRIVATE_KEY", "MAINNET_MINT_AUTHORITY", "FLUTTERBYE_MASTER_SEED", "API_TOKEN", "DATABASE_URL", "SOLANA_RPC_URL",
        "SOLANA_WS_URL",
    ]

    private let provider: EnvironmentVariablesProvider
    private let reader: ConfigReader
    private let names: [String]

    /// This process's environment variables.
    public static var process: ServiceEnvironment { ServiceEnvironment(ProcessInfo.processInfo.environment) }

    /// `variables` as the environment.
    public init(_ variables: [String: String]) {
        self.init(variables, accessReporter: nil)
    }

    /// `variables` as the environment, every value read reported to `accessReporter` (as `CONFIG_ACCESS_LOG_FILE`
    /// would log it).
    init(_ variables: [String: String], accessReporter: (any AccessReporter)?) {
        provider = EnvironmentVariablesProvider(environmentVariables: variables, secretsSpecifier: .specific(Self.secretNames))
        reader = ConfigReader(provider: provider, accessReporter: accessReporter)
        names = variables.keys.sorted()
    }

    /// The value of `name` exactly as set, untrimmed; nil when unset.
    public func valueAsSet(_ name: String) -> String? {
        // One key component: the provider's key encoding (components joined by _, upper-cased) maps it to itself.
        reader.string(forKey: ConfigKey([name]), isSecret: Self.secretNames.contains(name))
    }

    /// The value of `name` without leading and trailing white space; nil when unset or blank.
    public func value(_ name: String) -> String? {
        guard let value = valueAsSet(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The variables whose names start with `prefix`, by name, with their values as set. Names that are not known in
    /// advance may be spelled in any case, which the provider's key encoding cannot reach, so they are read by name.
    public func variables(withPrefix prefix: String) -> [(name: String, value: String)] {
        names.filter { $0.hasPrefix(prefix) }.compactMap { name in
            (try? provider.environmentValue(forName: name)).flatMap { $0 }.map { (name, $0) }
        }
    }

    public var description: String { "ServiceEnvironment(\(names.count) variables)" }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["variables": names.count], displayStyle: .struct) }
}
