import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// The owner `flby_balances` names after an account's hand-over, on the local chain.
@Suite("Indexer: an account handed over in the slot of a payment", .enabled(if: WorkerTestEnvironment.isAvailable))
struct HandOverOwnerTests {
    static let logger = Logger(label: "HandOverOwnerTests")
    static var options: IndexerOptions { IndexerAcceptanceTests.options }

    /// The same slot on the chain: FLBY minted into a stranger's account (300 -> 400), and the account handed to the
    /// escrow by SetAuthority (AccountOwner), which moves no FLBY. The chain's account data names the escrow as owner;
    /// `flby_balances.owner` must too.
    @Test("an account paid into and handed to the escrow in one slot is the escrow's in flby_balances, as the chain says")
    func anAccountHandedOverInTheSlotOfAPaymentIsTheNewOwners() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_owner_slot") { client, rpc, server in
            let flby = try await FlbyActivity.create(rpc)
            let stranger = Keypair.generate()
            let escrow = Keypair.generate().publicKey
            let account = Keypair.generate()
            let rent = try await rpc.minimumBalanceForRentExemption(space: 165)
            _ = try await flby.land(
                [
                    SystemProgram.createAccount(
                        from: flby.payer.publicKey, newAccount: account.publicKey, lamports: rent, space: 165, owner: TokenProgram.token.programID),
                    TokenProgram.token.initializeAccount3(account: account.publicKey, mint: flby.mint.publicKey, owner: stranger.publicKey),
                    TokenProgram.token.mintTo(
                        mint: flby.mint.publicKey, destination: account.publicKey, authority: flby.payer.publicKey, amount: 300),
                ], signers: [account])

            // One slot: the chain stands still while both land.
            _ = try await server.control(["paused": true])
            let blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
            func signed(_ instructions: [Instruction], _ signers: [Keypair]) throws -> Transaction {
                try Transaction(
                    message: .legacy(try LegacyMessage(payer: flby.payer.publicKey, instructions: instructions, recentBlockhash: blockhash)),
                    signers: [flby.payer] + signers)
            }
            let payment = try await rpc.sendTransaction(
                try signed(
                    [
                        TokenProgram.token.mintTo(
                            mint: flby.mint.publicKey, destination: account.publicKey, authority: flby.payer.publicKey, amount: 100)
                    ],
                    []), skipPreflight: true)
            let handOver = try await rpc.sendTransaction(
                try signed(
                    [
                        TokenProgram.token.setAuthority(
                            account: account.publicKey, currentAuthority: stranger.publicKey, authorityType: .accountOwner, newAuthority: escrow)
                    ], [stranger]), skipPreflight: true)
            _ = try await server.control(["paused": false])
            try await rpc.waitUntilConfirmed(payment)
            try await rpc.waitUntilConfirmed(handOver)
            try #require(try await flby.slot(of: payment) == (try await flby.slot(of: handOver)), "both in one slot")

            let store = IndexStore(client: client, logger: Self.logger)
            let watched = WatchedAddresses(flbyMint: flby.mint.publicKey, escrowWallet: escrow)
            let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: Self.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(indexer) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }
            let chain = try #require(try await rpc.tokenAccountStates([account.publicKey]).first ?? nil)
            try #require(chain.owner == escrow && chain.amount == 400)
            var rows: [(String?, String)] = []
            for try await row in try await client.query(
                "SELECT owner, amount::text FROM flutterbye.flby_balances WHERE token_account = \(account.publicKey.base58)", logger: Self.logger
            ).decode((String?, String).self) {
                rows.append(row)
            }
            #expect(rows.count == 1 && rows.first?.1 == "400")
            #expect(
                rows.first?.0 == chain.owner.base58,
                "the chain names the escrow \(escrow.base58) as owner; flby_balances names \(rows.first?.0 ?? "none") (the stranger is \(stranger.publicKey.base58))"
            )
        }
    }
}
