import FlutterbyeStore
public import Logging
public import PostgresNIO
public import SolanaRPC

/// One thing `/readyz` checks: a name and a probe that returns nil when all is well, else why not.
public struct ReadinessCheck: Sendable {
    public var name: String
    public var probe: @Sendable () async -> String?

    public init(name: String, probe: @escaping @Sendable () async -> String?) {
        self.name = name
        self.probe = probe
    }
}

extension ReadinessCheck {
    /// The database answers and has the schema this binary migrates to (`version`).
    public static func database(_ client: PostgresClient, version: Int, logger: Logger) -> ReadinessCheck {
        ReadinessCheck(name: "database") {
            do throws(StoreError) {
                let applied = try await SchemaMigrator.appliedVersion(on: client, logger: logger)
                return applied >= version ? nil : "the schema is at version \(applied), this binary needs \(version): run flutterbye migrate"
            } catch {
                return "unreachable: \(error.message)"
            }
        }
    }

    /// The RPC node answers `getHealth` with ok (a node behind the cluster says by how many slots).
    public static func rpc(_ client: SolanaRPCClient) -> ReadinessCheck {
        ReadinessCheck(name: "rpc") {
            do throws(RPCError) {
                try await client.health()
                return nil
            } catch {
                return "\(error.message)"
            }
        }
    }
}
