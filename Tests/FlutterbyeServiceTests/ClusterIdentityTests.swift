import FlutterbyeStore
import SolanaCore
import Testing

@testable import FlutterbyeService

/// The cluster from `SOLANA_CLUSTER` and the RPC's genesis hash (Solana's documented hashes of the public clusters):
/// either alone decides, both must agree; and what a cluster's explorer links and log lines show.
struct ClusterIdentityTests {
    static let mainnet = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"
    static let devnet = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG"
    static let testnet = "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY"
    static let local = "FYPe7phxuDqyLnMArcVGNTZRAPg9KpDPk9yrQxCFFYst"

    @Test(
        arguments: [
            (nil, nil, nil), ("devnet", nil, SolanaCluster.devnet), (nil, mainnet, .mainnetBeta), (nil, local, .custom),
            ("mainnet-beta", mainnet, .mainnetBeta), ("mainnet", mainnet, .mainnetBeta), ("devnet", devnet, .devnet), ("testnet", testnet, .testnet),
            ("localnet", local, .custom), ("custom", local, .custom),
        ] as [(String?, String?, SolanaCluster?)])
    func eitherAloneDecidesAndBothMayAgree(_ name: String?, _ hash: String?, _ cluster: SolanaCluster?) {
        let identity = ClusterIdentity(name: name, genesisHash: hash)
        #expect(identity.cluster == cluster && identity.mismatch == nil)
    }

    /// A disagreement names both and applies mainnet's rules when either side says mainnet.
    @Test(arguments: [
        ("devnet", mainnet, SolanaCluster.mainnetBeta, "mainnet-beta's"), ("localnet", mainnet, .mainnetBeta, "mainnet-beta's"),
        ("testnet", devnet, .devnet, "devnet's"), ("mainnet-beta", local, .mainnetBeta, "no public cluster's"),
        ("devnet", local, .custom, "no public cluster's"),
    ])
    func aNameAndAHashThatDisagree(_ name: String, _ hash: String, _ rules: SolanaCluster, _ hashIs: String) throws {
        let identity = ClusterIdentity(name: name, genesisHash: hash)
        #expect(identity.cluster == rules)
        let mismatch = try #require(identity.mismatch)
        #expect(mismatch.contains("SOLANA_CLUSTER is \(name)") && mismatch.contains(hash) && mismatch.contains(hashIs), "\(mismatch)")
    }

    /// SOLANA_CLUSTER is read for every part (it decides production mode), not only with the API.
    @Test func aNameThatIsNoClusterIsAProblemForEveryPart() throws {
        let environment = ProductionPolicyTests.environment(["SOLANA_CLUSTER": "moonnet"])
        for parts in [ServiceParts(indexer: false, worker: true, api: false), ServiceParts(indexer: true, worker: false, api: false), ServiceParts()]
        {
            #expect {
                try ServiceConfiguration(environment: ServiceEnvironment(environment), parts: parts)
            } throws: { error in
                (error as? ConfigurationError)?.problems == ["SOLANA_CLUSTER must be mainnet-beta, devnet, testnet or localnet, not 'moonnet'"]
            }
        }
        let named = try ServiceConfiguration(
            environment: ServiceEnvironment(ProductionPolicyTests.environment(["SOLANA_CLUSTER": "devnet"])), parts: ServiceParts())
        #expect(named.clusterName == "devnet")
    }

    @Test func theClusterShowsNoURL() {
        let signature = "5Y6yVwS6PcNGPCXTExREQf1echdx3pNwtsMgsaXfsPiJkH88rCqGGfvyMB8qBaYQRCxZAahc3QmkQQobWwZUW8uK"
        #expect(SolanaCluster.mainnetBeta.explorerURL(transaction: signature) == "https://explorer.solana.com/tx/\(signature)")
        #expect(SolanaCluster.devnet.explorerURL(address: Self.devnet) == "https://explorer.solana.com/address/\(Self.devnet)?cluster=devnet")
        #expect(SolanaCluster.testnet.explorerURL(transaction: signature) == "https://explorer.solana.com/tx/\(signature)?cluster=testnet")
        #expect(SolanaCluster.custom.explorerURL(transaction: signature) == "https://explorer.solana.com/tx/\(signature)?cluster=custom")
        #expect(["\(SolanaCluster.custom)", "\(SolanaCluster.mainnetBeta)"] == ["custom", "mainnet-beta"])
    }
}
