import FlutterbyeAPI
import FlutterbyeIndexer
import Foundation
public import SolanaCore
public import SolanaRPC
import TokenWorker

/// What the service refuses to run with on mainnet-beta (or on a cluster it cannot identify, which it treats as
/// mainnet), and what it warns about elsewhere: every reason is listed, so that one fix-and-retry round is enough.
/// Pure: the caller gives the cluster and a way to read a file's permission bits.
public enum ProductionPolicy {
    /// The shortest API token accepted in production.
    public static let minimumTokenLength = 32

    /// Variables whose name starts with this are development switches; any of them set (to anything but false, 0
    /// or no) is refused in production.
    public static let developmentSwitchPrefix = "FLUTTERBYE_DEV_"

    /// What a configuration gets before it starts: the reasons it must not run (empty when it may) and what it may
    /// run with but should fix.
    public struct Review: Sendable, Hashable {
        public var refusals: [String] = []
        public var warnings: [String] = []
    }

    /// The review of `configuration` on `cluster` (nil: unknown, so production rules apply). `fileMode` reads a
    /// file's mode bits. A keypair file whose mode cannot be read is refused on any cluster.
    public static func review(
        _ configuration: ServiceConfiguration, cluster: SolanaCluster?,
        fileMode: (String) -> Result<Int, FileModeError> = KeypairFileCheck.fileMode
    ) -> Review {
        let production = cluster == nil || cluster == .mainnetBeta
        var review = Review()
        if configuration.parts.worker {
            for name in KeypairFileCheck.variables {
                // Trimmed, as the worker reads it: the file checked is the file it loads.
                guard let path = configuration.environment.value(name), !KeypairFileCheck.isKeyText(path) else { continue }
                switch KeypairFileCheck.verdict(variable: name, path: path, mode: fileMode(path), production: production) {
                case .fine: break
                case .warning(let text): review.warnings.append(text)
                case .refusal(let text): review.refusals.append(text)
                }
            }
        }
        // A variable of the service's prefix that is none of its settings is a slip, on any cluster.
        review.warnings += ServiceSettingNames.warnings(configuration.environment)
        if configuration.parts.indexer { review.warnings += shadowedAliases(configuration.environment) }
        // Read on every cluster: a value that is neither a yes nor a no is a typo wherever it would not matter yet.
        // nil: neither (refused here, so not refused again below).
        let payerIntended: Bool?
        switch configuration.environment.value(mintAuthorityIsPayer)?.lowercased() {
        case "1"?, "true"?, "yes"?: payerIntended = true
        case nil, "0"?, "false"?, "no"?: payerIntended = false
        case let other?:
            payerIntended = nil
            review.refusals.append("\(mintAuthorityIsPayer) must be true or false, not '\(other)'")
        }
        guard production else { return review }
        review.refusals += productionRefusals(configuration)
        if let sender = configuration.worker?.sender, sender.mintAuthority.publicKey == sender.payer.publicKey {
            if payerIntended == true {
                review.warnings.append("the mint authority is the fee payer (\(sender.payer.publicKey)), as \(mintAuthorityIsPayer) says is intended")
            } else if payerIntended == false {
                review.refusals.append(
                    "the mint authority is the fee payer (\(sender.payer.publicKey)): the key that pays every fee, kept on this machine, could mint "
                        + "FLBY tokens without limit; set MAINNET_MINT_AUTHORITY (or FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH) to a key of its own, "
                        + "or \(mintAuthorityIsPayer)=true if that is intended")
            }
        }
        if cluster == nil, !review.refusals.isEmpty {
            review.refusals.append(
                unidentifiedClusterNote)
        }
        return review
    }

    /// Said after the refusals when no cluster could be identified.
    static let unidentifiedClusterNote =
        "(the cluster could not be identified, so production rules apply: set SOLANA_CLUSTER when the RPC cannot be asked)"

    /// The setting that says a mint authority which is the fee payer is intended (on mainnet).
    public static let mintAuthorityIsPayer = "FLUTTERBYE_MINT_AUTHORITY_IS_PAYER"

    /// Every reason other than a keypair file's and the mint authority's that `configuration` must not run in
    /// production.
    static func productionRefusals(_ configuration: ServiceConfiguration) -> [String] {
        var reasons: [String] = []
        if let api = configuration.api {
            for (position, token) in api.apiTokens.enumerated() where token.count < minimumTokenLength {
                reasons.append("API_TOKEN: token \(position + 1) has \(token.count) characters; production needs at least \(minimumTokenLength)")
            }
        }
        for endpoint in configuration.endpoints {
            guard endpoint.scheme == "http", let host = endpoint.host, !isLoopback(host) else { continue }
            reasons.append("SOLANA_RPC_URL: \(endpoint) uses plain http to \(host); use https (http is allowed only to this machine)")
        }
        // Set, not derived: one derived from a plain http RPC URL to another machine is that URL's refusal already.
        if configuration.environment.value("SOLANA_WS_URL") != nil {
            for pubSub in Set([configuration.worker?.sender.pubSub, configuration.indexer?.pubSub].compactMap { $0 }) {
                guard pubSub.scheme == "ws", let host = pubSub.host, !isLoopback(host) else { continue }
                reasons.append("SOLANA_WS_URL: \(pubSub) uses plain ws to \(host); use wss (ws is allowed only to this machine)")
            }
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
        if configuration.parts.indexer { reasons += missingMainnetAddresses(configuration.environment) }
        for (name, value) in configuration.environment.variables(withPrefix: developmentSwitchPrefix) {
            guard !["", "0", "false", "no"].contains(value.lowercased()) else { continue }
            reasons.append("\(name) is a development switch; unset it")
        }
        return reasons
    }

    /// The seeds' MainNet addresses the indexer follows and `environment` lacks (under their names or their aliases),
    /// each named: an index without one of them is not the platform's analytics.
    public static func missingMainnetAddresses(_ environment: ServiceEnvironment) -> [String] {
        mainnetAddresses.compactMap { name, alias, what in
            guard environment.value(name) == nil, environment.value(alias) == nil else { return nil }
            return "\(name) is not set: \(what), which the indexer follows on mainnet (or \(alias))"
        }
    }

    /// A warning for each of the seeds' MainNet names whose alias is set too, to another value: the indexer follows
    /// the MainNet name's address and ignores the alias, one of which is stale. Names only.
    public static func shadowedAliases(_ environment: ServiceEnvironment) -> [String] {
        mainnetAddresses.compactMap { name, alias, what in
            guard let value = environment.value(name), let other = environment.value(alias), value != other else { return nil }
            return
                "\(alias) is set too, to another address than \(name): the indexer follows \(name) as \(what) and ignores \(alias); unset the stale one"
        }
    }

    /// The seeds' MainNet names of the addresses the indexer follows, each with the alias it also reads and what it is.
    static let mainnetAddresses = [
        ("MAINNET_PROGRAM_ID", "FLUTTERBYE_PROGRAM_ID", "the Flutterbye program's id"),
        ("MAINNET_ESCROW_WALLET", "ESCROW_WALLET", "the escrow wallet's address"),
        ("MAINNET_FEE_WALLET", "FEE_WALLET", "the fee wallet's address"),
    ]

    /// What production mode adds to the problems of a configuration that cannot be read (`parts` of it), so that one
    /// run names everything: the missing MainNet addresses, when the indexer runs and the cluster is mainnet-beta or
    /// cannot be identified. `genesisHash` asks the RPC endpoints, when they can be read, for theirs.
    public static func mainnetAddressProblems(
        _ environment: ServiceEnvironment, parts: ServiceParts, genesisHash: ([RPCEndpoint]) async -> String?
    ) async -> [String] {
        guard parts.indexer else { return [] }
        let missing = missingMainnetAddresses(environment)
        guard !missing.isEmpty else { return [] }
        var reader = EnvironmentReader(environment)
        let name = reader.value("SOLANA_CLUSTER").flatMap { SolanaCluster(name: $0) == nil ? nil : $0 }
        let endpoints = reader.endpoints()
        let hash = reader.problems.isEmpty && !endpoints.isEmpty ? await genesisHash(endpoints) : nil
        let cluster = ClusterIdentity(name: name, genesisHash: hash).cluster
        guard cluster == nil || cluster == .mainnetBeta else { return [] }
        return missing + (cluster == nil ? [unidentifiedClusterNote] : [])
    }

    /// Whether `host` is this machine: localhost, or a literal address of 127.0.0.0/8 (four decimal octets, the
    /// first 127) or ::1 (in any of its spellings). A host name is never read as an address ("127.example.com").
    static func isLoopback(_ host: String) -> Bool {
        var bare = host.lowercased()
        if bare.hasPrefix("[") && bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        return bare == "localhost" || ipv4Octets(bare)?.first == 127 || ipv6Groups(bare) == [0, 0, 0, 0, 0, 0, 0, 1]
    }

    /// The four octets of a dotted-decimal IPv4 address (each 0...255, without leading zeros, which some resolvers
    /// read as octal); nil for anything else.
    static func ipv4Octets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let octets = parts.compactMap { part -> Int? in
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                part == "0" || !part.hasPrefix("0"), let octet = Int(part), octet <= 255
            else { return nil }
            return octet
        }
        return parts.count == 4 && octets.count == 4 ? octets : nil
    }

    /// The eight groups of an IPv6 address written in hexadecimal groups, `::` at most once (no embedded IPv4
    /// address, no zone); nil for anything else.
    static func ipv6Groups(_ text: String) -> [Int]? {
        func groups(_ part: Substring) -> [Int]? {
            guard !part.isEmpty else { return [] }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            let values = fields.compactMap { field -> Int? in
                guard (1...4).contains(field.count), field.allSatisfy(\.isHexDigit) else { return nil }
                return Int(field, radix: 16)
            }
            return values.count == fields.count ? values : nil
        }
        let halves = text.components(separatedBy: "::")
        switch halves.count {
        case 1:
            guard let all = groups(Substring(text)), all.count == 8 else { return nil }
            return all
        case 2:
            guard let head = groups(Substring(halves[0])), let tail = groups(Substring(halves[1])), head.count + tail.count <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
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
