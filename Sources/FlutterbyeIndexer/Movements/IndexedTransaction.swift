public import SolanaCore

/// Everything the indexer keeps of one transaction: the row of `indexed_transactions`, its FLBY movements, the
/// watched wallets' activity, the FLBY accounts' balances after it, and the Flutterbye program's log lines.
public struct IndexedTransaction: Sendable, Hashable {
    public var signature: Signature
    public var slot: UInt64
    public var blockTime: Int64?
    public var fee: UInt64
    /// The node's JSON form of the transaction's error; nil when it succeeded. A failed transaction moves nothing.
    public var error: JSONValue?
    /// The memos (Memo program v1 or v2, top-level or invoked), joined by "; ".
    public var memo: String?
    public var movements: [FlbyMovement]
    public var walletActivity: [WalletActivity]
    public var flbyBalances: [FlbyAccountBalance]
    /// The watched program's own log lines (its invocation frames at every depth), when it invoked the program.
    public var programLogs: [ProgramLogLine]
    /// The watched program's `Program data:` lines, decoded as Anchor events when an IDL is configured.
    public var programEvents: [ProgramEvent] = []
    /// A failed transaction's log lines (what the programs said before it failed), kept with it; nil for one that
    /// succeeded, or when the node kept no logs.
    public var failureLogs: [String]?
    /// Whether its account keys (static and loaded) name the FLBY mint, a watched wallet or the watched program.
    public var namesWatchedAddress: Bool
    /// The token accounts of any mint that its token balances show owned by a watched wallet: the wallet's activity
    /// includes theirs, so the indexer follows them.
    public var walletTokenAccounts: [WalletTokenAccount] = []

    public init(
        signature: Signature, slot: UInt64, blockTime: Int64?, fee: UInt64, error: JSONValue?, memo: String?, movements: [FlbyMovement],
        walletActivity: [WalletActivity], flbyBalances: [FlbyAccountBalance], programLogs: [ProgramLogLine], namesWatchedAddress: Bool,
        failureLogs: [String]? = nil
    ) {
        self.signature = signature
        self.slot = slot
        self.blockTime = blockTime
        self.fee = fee
        self.error = error
        self.memo = memo
        self.movements = movements
        self.walletActivity = walletActivity
        self.flbyBalances = flbyBalances
        self.programLogs = programLogs
        self.namesWatchedAddress = namesWatchedAddress
        self.failureLogs = failureLogs
    }

    /// Whether the transaction touches anything watched; one that does not is unrelated and never stored.
    public var isRelevant: Bool {
        namesWatchedAddress || !movements.isEmpty || !walletActivity.isEmpty || !flbyBalances.isEmpty || !programLogs.isEmpty
    }
}
