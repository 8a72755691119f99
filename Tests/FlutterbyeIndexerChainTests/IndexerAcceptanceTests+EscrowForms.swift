import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// The escrow in the two multisig forms the platform uses, made on the local chain by `Tests/LocalChain/escrow_forms.py`
/// (solders and solana-py's builders; expected rows from the amounts sent, balances checked on the chain's accounts):
/// the escrow wallet configured is the SPL multisig account, or the program-derived vault.
extension IndexerAcceptanceTests {
    struct EscrowForm: Decodable {
        struct Activity: Decodable, Hashable {
            var signature: String
            var lamports_delta: Int64
            var flby_delta: String
        }
        struct Release: Decodable {
            var signature: String
            var source_owner: String
        }
        var mint: String
        var escrow: String
        var escrow_token_account: String
        var signers: [String]
        var activity: [Activity]
        var balance: String
        var release: Release?

        /// Runs the script against `rpcURL` and reads what it wrote.
        static func make(_ form: String, rpcURL: URL) async throws -> EscrowForm {
            try JSONDecoder().decode(
                EscrowForm.self, from: try await IndexerAcceptanceTests.localChainScript("escrow_forms.py", rpcURL: rpcURL, ["--form", form]))
        }
    }

    @Test(
        "an escrow that is an SPL multisig (2 of 3) or a program-derived vault: its activity and balance, its signers not parties",
        arguments: ["multisig", "vault"])
    func anEscrowOfEitherMultisigFormIsIndexedAsTheEscrow(form: String) async throws {
        try await Self.withIndexEnvironment(database: "index_escrow_\(form)") { client, rpc, server in
            let made = try await EscrowForm.make(form, rpcURL: server.url)
            let watched = WatchedAddresses(flbyMint: try PublicKey(base58: made.mint), escrowWallet: try PublicKey(base58: made.escrow))
            let indexer = Indexer(
                store: IndexStore(client: client, logger: Self.logger), rpc: rpc, watched: watched, options: Self.options, logger: Self.logger)
            try await Self.running(indexer) {
                try await Self.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }

            var activity: Set<EscrowForm.Activity> = []
            for try await (signature, lamports, flby) in try await client.query(
                "SELECT signature, lamports_delta, flby_delta::text FROM flutterbye.wallet_activity WHERE wallet = 'escrow'", logger: Self.logger
            ).decode((String, Int64, String).self) {
                activity.insert(EscrowForm.Activity(signature: signature, lamports_delta: lamports, flby_delta: flby))
            }
            #expect(activity == Set(made.activity))

            var balances: [(account: String, owner: String, amount: String)] = []
            for try await (account, owner, amount) in try await client.query(
                "SELECT token_account, owner, amount::text FROM flutterbye.flby_balances WHERE owner = \(made.escrow) OR owner = ANY(\(made.signers))",
                logger: Self.logger
            ).decode((String, String, String).self) {
                balances.append((account, owner, amount))
            }
            #expect(balances.map(\.account) == [made.escrow_token_account] && balances.map(\.owner) == [made.escrow], "\(balances)")
            #expect(balances.first?.amount == made.balance)

            if let release = made.release {
                // The transfer out names the multisig as owner; its two signers are only signers.
                let owners = try await client.query(
                    "SELECT source_owner FROM flutterbye.flby_movements WHERE signature = \(release.signature)", logger: Self.logger
                ).collect().map { try $0.decode(String?.self) }
                #expect(owners == [release.source_owner])
            }
            #expect(try await Self.count(client, "SELECT count(*) FROM flutterbye.index_cursors WHERE role = 'escrow_token_account'") == 1)
        }
    }
}
