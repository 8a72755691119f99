public import FlutterbyeAPI
import Foundation
public import SolanaCore
import SolanaRPC
import TokenWorker

/// What the service refuses to run with on mainnet-beta (or on a cluster it cannot identify, which it treats as
/// mainnet): every reason is listed, so that one fix-and-retry round is enough. Pure: the caller gives the
/// cluster and a way to read a file's permission bits.
public enum ProductionPolicy {
    /// The shortest API token accepted in production.
    public static let minimumTokenLength = 32

    /// Variables whose name starts with this are development switches; any of them set (to anything but false, 0
    /// or no) is refused in production.
    public static let developmentSwitchPrefix = "FLUTTERBYE_DEV_"

    /// Every reason `configuration` must not run on `cluster` (nil: unknown); empty when it may. `permissions`
    /// reads a file's mode bits (nil when it cannot be read).
    public static func refusals(
        _ configuration: ServiceConfiguration, cluster: SolanaCluster?, permissions: (String) -> Int? = Self.filePermissions
    ) -> [String] {
        guard cluster == nil || cluster == .mainnetBeta else { return [] }
        var reasons: [String] = []
        let environment = configuration.environment
        if let api = configuration.api {
            for (position, token) in api.apiTokens.enumerated() where token.count < minimumTokenLength {
                reasons.append("API_TOKEN: token \(position + 1) has \(token.count) characters; production needs at least \(minimumTokenLength)")
            }
        }
        if configuration.parts.worker {
            for name in ["SOLANA_KEYPAIR_PATH", "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH"] {
                guard let path = environment[name], !path.isEmpty else { continue }
                if let mode = permissions(path), mode & 0o077 != 0 {
                    reasons.append(
                        "\(name): the keypair file \(path) is readable or writable by group or others (mode \(String(mode & 0o777, radix: 8))); run chmod 600 \(path)")
                }
            }
        }
        for endpoint in configuration.endpoints {
            guard endpoint.scheme == "http", let host = endpoint.host, !isLoopback(host) else { continue }
            reasons.append("SOLANA_RPC_URL: \(endpoint) uses plain http to \(host); use https (http is allowed only to this machine)")
        }
        if let sender = configuration.worker?.sender {
            if sender.payer.publicKey == DemoIdentity.payer.publicKey {
                reasons.append("the fee payer is the demo's keypair (\(DemoIdentity.payer.publicKey)); use a keypair of your own")
            }
            if sender.mintAuthority.publicKey == DemoIdentity.payer.publicKey {
                reasons.append("the mint authority is the demo's keypair; use a keypair of your own")
            }
            if sender.mintDerivation.keypair(forJobKey: DemoIdentity.probeJobKey).publicKey
                == DemoIdentity.derivation.keypair(forJobKey: DemoIdentity.probeJobKey).publicKey
            {
                reasons.append("FLUTTERBYE_MASTER_SEED is the demo's; make one of your own (openssl rand -hex 32) and keep it forever")
            }
        }
        for name in environment.keys.sorted() where name.hasPrefix(developmentSwitchPrefix) {
            guard let value = environment[name], !["", "0", "false", "no"].contains(value.lowercased()) else { continue }
            reasons.append("\(name) is a development switch; unset it")
        }
        if cluster == nil, !reasons.isEmpty {
            reasons.append("(the cluster could not be identified, so production rules apply: set SOLANA_CLUSTER when the RPC cannot be asked)")
        }
        return reasons
    }

    /// Whether `host` is this machine: localhost, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    /// A file's permission bits, by `stat`.
    public static func filePermissions(_ path: String) -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = attributes[.posixPermissions] as? NSNumber
        else { return nil }
        return mode.intValue
    }
}

/// The demo's identity (`flutterbye demo`): a fee payer and a master seed everyone can read in this repository,
/// fine for a local chain and refused on mainnet by `ProductionPolicy`.
public enum DemoIdentity {
    /// 32 bytes of 0xd3: the demo payer's seed.
    public static let payer = try! Keypair(seed: [UInt8](repeating: 0xD3, count: 32))
    /// The demo's `FLUTTERBYE_MASTER_SEED`.
    public static let masterSeedHex = String(repeating: "d3", count: 32)
    static let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 0xD3, count: 32))
    /// A job key whose mint tells two master seeds apart without reading either.
    static let probeJobKey = "flutterbye/production-policy/probe"
}
