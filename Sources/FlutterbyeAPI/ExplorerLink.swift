import Foundation

/// Which Solana cluster the service works on, for explorer links (and, later, production mode): named by
/// `SOLANA_CLUSTER` (`mainnet-beta`, `devnet`, `testnet`, `localnet`) or by the RPC's genesis hash.
public enum SolanaCluster: Sendable, Hashable, CustomStringConvertible {
    case mainnetBeta
    case devnet
    case testnet
    /// Any other cluster (a local validator or the project's local chain), reachable at this RPC URL.
    case custom(rpcURL: String)

    /// The cluster a `SOLANA_CLUSTER` value names; nil when it names none (`localnet` and `custom` take `rpcURL`).
    public init?(name: String, rpcURL: String) {
        switch name.lowercased() {
        case "mainnet-beta", "mainnet": self = .mainnetBeta
        case "devnet": self = .devnet
        case "testnet": self = .testnet
        case "localnet", "custom", "local": self = .custom(rpcURL: rpcURL)
        default: return nil
        }
    }

    /// The genesis hashes of the public clusters, as `getGenesisHash` reports them.
    public static let genesisHashes: [String: SolanaCluster] = [
        "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d": .mainnetBeta,
        "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG": .devnet,
        "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY": .testnet,
    ]

    /// The cluster whose genesis hash this is; any other is a custom cluster at `rpcURL`.
    public init(genesisHash: String, rpcURL: String) {
        self = Self.genesisHashes[genesisHash] ?? .custom(rpcURL: rpcURL)
    }

    public var isMainnet: Bool { self == .mainnetBeta }

    /// `mainnet-beta`, `devnet`, `testnet`, or `custom` with the RPC URL (without its query string, as given).
    public var description: String {
        switch self {
        case .mainnetBeta: "mainnet-beta"
        case .devnet: "devnet"
        case .testnet: "testnet"
        case .custom(let rpcURL): "custom (\(rpcURL))"
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

    func explorerURL(path: String) -> String {
        let base = "https://explorer.solana.com/\(path)"
        switch self {
        case .mainnetBeta: return base
        case .devnet: return base + "?cluster=devnet"
        case .testnet: return base + "?cluster=testnet"
        case .custom(let rpcURL):
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let encoded = rpcURL.addingPercentEncoding(withAllowedCharacters: allowed) ?? rpcURL
            return base + "?cluster=custom&customUrl=" + encoded
        }
    }
}
