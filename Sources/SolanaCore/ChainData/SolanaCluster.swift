/// Which Solana cluster the service works on, for explorer links and production mode: named by `SOLANA_CLUSTER`
/// (`mainnet-beta`, `devnet`, `testnet`, `localnet`) or by the RPC's genesis hash. It holds no RPC URL, so no link
/// or log line that names the cluster can carry a provider's secret.
public enum SolanaCluster: Sendable, Hashable, CustomStringConvertible {
    case mainnetBeta
    case devnet
    case testnet
    /// Any other cluster (a local validator, the project's local chain, a private cluster).
    case custom

    /// The cluster a `SOLANA_CLUSTER` value names; nil when it names none (`localnet`, `local` and `custom` name a
    /// custom cluster).
    public init?(name: String) {
        switch name.lowercased() {
        case "mainnet-beta", "mainnet": self = .mainnetBeta
        case "devnet": self = .devnet
        case "testnet": self = .testnet
        case "localnet", "custom", "local": self = .custom
        default: return nil
        }
    }

    /// The genesis hashes of the public clusters, as `getGenesisHash` reports them.
    public static let genesisHashes: [String: SolanaCluster] = [
        "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d": .mainnetBeta,
        "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG": .devnet,
        "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY": .testnet,
    ]

    /// The cluster whose genesis hash this is; any other is a custom cluster.
    public init(genesisHash: String) {
        self = Self.genesisHashes[genesisHash] ?? .custom
    }

    public var isMainnet: Bool { self == .mainnetBeta }

    /// `mainnet-beta`, `devnet`, `testnet` or `custom`.
    public var description: String {
        switch self {
        case .mainnetBeta: "mainnet-beta"
        case .devnet: "devnet"
        case .testnet: "testnet"
        case .custom: "custom"
        }
    }

    /// The Solana Explorer page of a transaction on this cluster.
    public func explorerURL(transaction signature: String) -> String {
        explorerURL(path: "tx/\(signature)")
    }

    /// The Solana Explorer page of an account (a mint, a wallet) on this cluster.
    public func explorerURL(address: String) -> String {
        explorerURL(path: "address/\(address)")
    }

    /// A custom cluster's link names no RPC URL (`cluster=custom` alone): the Explorer then reads the custom RPC URL
    /// the viewer set in their own browser (by default http://localhost:8899).
    func explorerURL(path: String) -> String {
        let base = "https://explorer.solana.com/\(path)"
        switch self {
        case .mainnetBeta: return base
        case .devnet: return base + "?cluster=devnet"
        case .testnet: return base + "?cluster=testnet"
        case .custom: return base + "?cluster=custom"
        }
    }
}
