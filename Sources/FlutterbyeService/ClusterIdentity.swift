public import SolanaCore

/// Which cluster the service works on, from the name `SOLANA_CLUSTER` gives and the genesis hash the RPC reports.
/// When both are known they must agree: a name cannot switch production mode off (or on) against what the chain is.
/// Pure: the caller asks the RPC.
public struct ClusterIdentity: Sendable, Hashable {
    /// The cluster whose rules apply (nil: neither tells, so production rules apply). When the name and the hash
    /// disagree, mainnet-beta if either says so, else what the hash says.
    public var cluster: SolanaCluster?
    /// Why the name and the hash disagree (nil when they do not): the service must not start.
    public var mismatch: String?

    /// The identity from `name` (`SOLANA_CLUSTER`, nil when unset or not a cluster's name) and `genesisHash` (nil
    /// when the RPC did not answer).
    public init(name: String?, genesisHash: String?) {
        let named = name.flatMap { SolanaCluster(name: $0) }
        let reported = genesisHash.map { SolanaCluster(genesisHash: $0) }
        guard let named, let reported, let genesisHash, let name else {
            cluster = named ?? reported
            mismatch = nil
            return
        }
        guard named != reported else {
            cluster = named
            mismatch = nil
            return
        }
        cluster = named == .mainnetBeta || reported == .mainnetBeta ? .mainnetBeta : reported
        let hashIs = reported == .custom ? "no public cluster's (a custom cluster)" : "\(reported)'s"
        let nameIs = named == .custom ? "\(name) (a custom cluster)" : name
        let rename = reported == .custom ? "localnet" : "\(reported)"
        mismatch =
            "SOLANA_CLUSTER is \(nameIs), but the RPC's genesis hash \(genesisHash) is \(hashIs): set SOLANA_CLUSTER=\(rename) (or unset it), "
            + "or point SOLANA_RPC_URL at \(named == .custom ? "a node of a custom cluster" : "a \(named) node")"
    }
}
