import FlutterbyeStore
import PostgresNIO
import SolanaCore
public import SolanaRPC

/// One figure the index and the chain disagree on.
public struct ReconciliationDifference: Sendable, Hashable, CustomStringConvertible {
    /// What the figure is: "FLBY supply", "FLBY balance of <account> (owner <owner>)", "lamports of the escrow wallet <address>".
    public var subject: String
    /// The index's figure (base units or lamports).
    public var indexed: String
    /// The chain's figure.
    public var chain: String

    public var description: String { "\(subject): indexed \(indexed), chain \(chain)" }
}

/// What `flutterbye reconcile` found: every figure compared and each difference.
public struct ReconciliationReport: Sendable {
    /// How many figures were compared.
    public var compared: Int
    public var differences: [ReconciliationDifference]
    /// The chain's confirmed slot when the comparison started.
    public var slot: UInt64
}

/// Compares the index with the chain: the FLBY supply (`getTokenSupply`), every indexed FLBY token account's balance
/// (its account data, `getMultipleAccounts`, 100 a call: an address now holding another mint's account holds no FLBY)
/// and the watched wallets' lamports (`getBalance`). Run it while the watched
/// addresses are quiet, or after the indexer caught up: a transaction landing during the comparison shows as a
/// difference until it is indexed.
public struct Reconciliation: Sendable {
    public let store: IndexStore
    public let rpc: SolanaRPCClient
    public let watched: WatchedAddresses

    public init(store: IndexStore, rpc: SolanaRPCClient, watched: WatchedAddresses) {
        self.store = store
        self.rpc = rpc
        self.watched = watched
    }

    public func run(commitment: Commitment = .confirmed) async throws -> ReconciliationReport {
        let slot = try await rpc.slot(commitment: commitment)
        var differences: [ReconciliationDifference] = []
        var compared = 0

        let supplyRows = try await store.run("SELECT supply::text FROM flutterbye.flby_supply", "reading flby_supply")
        let indexedSupply = try supplyRows.first.map { try $0.decode(String.self) } ?? "0"
        let chainSupply = try await rpc.tokenSupply(watched.flbyMint, commitment: commitment)
        compared += 1
        if indexedSupply != String(chainSupply) {
            differences.append(ReconciliationDifference(subject: "FLBY supply", indexed: indexedSupply, chain: String(chainSupply)))
        }

        let balanceRows = try await store.run(
            "SELECT token_account, owner, amount::text FROM flutterbye.flby_balances ORDER BY token_account", "reading flby_balances")
        var balances: [(account: PublicKey, owner: String?, amount: String)] = []
        for row in balanceRows {
            let (account, owner, amount) = try row.decode((String, String?, String).self)
            balances.append((try PublicKey(base58: account), owner, amount))
        }
        let states = try await rpc.tokenAccountStates(balances.map(\.account), commitment: commitment)
        for (entry, state) in zip(balances, states) {
            compared += 1
            // A closed account, or one of another mint now at its address, holds no FLBY.
            let chain = state.flatMap { $0.mint == watched.flbyMint ? $0.amount : nil }
            if entry.amount != String(chain ?? 0) {
                differences.append(
                    ReconciliationDifference(
                        subject: "FLBY balance of \(entry.account) (owner \(entry.owner ?? "unknown"))", indexed: entry.amount,
                        chain: chain.map(String.init) ?? (state == nil ? "no token account" : "an account of another mint")))
            }
        }

        for (role, wallet) in watched.wallets {
            guard let indexed = try await indexedLamports(role, wallet) else { continue }
            let chain = try await rpc.balance(wallet, commitment: commitment)
            compared += 1
            if indexed != Int128(chain) {
                differences.append(
                    ReconciliationDifference(
                        subject: "lamports of the \(role.rawValue) wallet \(wallet)", indexed: String(indexed), chain: String(chain)))
            }
        }
        return ReconciliationReport(compared: compared, differences: differences, slot: slot)
    }

    /// The wallet's lamports as the index has them: its balance before its earliest indexed transaction plus every
    /// change since; nil when no indexed transaction names the wallet itself. Only the rows of `wallet`: after a change
    /// of the configured wallet, the role's rows of the one before are kept, and are not this one's.
    func indexedLamports(_ role: WalletRole, _ wallet: PublicKey) async throws -> Int128? {
        let sumRows = try await store.run(
            """
            SELECT coalesce(sum(w.lamports_delta), 0)::text, min(w.slot)
            FROM flutterbye.chain_wallet_activity w JOIN flutterbye.chain_transactions t ON t.signature = w.signature
            WHERE w.wallet = \(role.rawValue) AND w.address = \(wallet.base58) AND w.pre_lamports IS NOT NULL AND NOT t.dropped
            """, "summing the \(role.rawValue) wallet's lamports")
        guard let row = sumRows.first else { return nil }
        let (sumText, earliest) = try row.decode((String, Int64?).self)
        guard let earliest, let sum = Int128(sumText) else { return nil }
        let openingRows = try await store.run(
            """
            SELECT w.pre_lamports::text, w.post_lamports::text
            FROM flutterbye.chain_wallet_activity w JOIN flutterbye.chain_transactions t ON t.signature = w.signature
            WHERE w.wallet = \(role.rawValue) AND w.address = \(wallet.base58) AND w.pre_lamports IS NOT NULL AND NOT t.dropped
                AND w.slot = \(earliest)
            """, "reading the \(role.rawValue) wallet's earliest activity")
        var pres: [Int128] = []
        var posts: [Int128] = []
        for row in openingRows {
            let (pre, post) = try row.decode((String, String).self)
            pres.append(Int128(pre) ?? 0)
            posts.append(Int128(post) ?? 0)
        }
        return Self.opening(pres: pres, posts: posts) + sum
    }

    /// The balance before a slot's transactions, from their (before, after) pairs in unknown order: each transaction
    /// starts where the one before it ended, so the first one's "before" is the one value left when every "after" is
    /// matched against a "before".
    static func opening(pres: [Int128], posts: [Int128]) -> Int128 {
        var unmatched = pres
        for post in posts {
            if let index = unmatched.firstIndex(of: post) { unmatched.remove(at: index) }
        }
        return unmatched.first ?? pres.min() ?? 0
    }
}
