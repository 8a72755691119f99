/// A landed transaction as `getTransaction` returns it (base64 encoding, which SolanaRPC decodes by hand;
/// `jsonParsed` is never used): the signed transaction, where and when it landed, and what it did. The indexer reads
/// movements from it.
public struct FetchedTransaction: Sendable, Hashable {
    /// The fields, shared between copies until one is changed: a fetched transaction holds a dozen arrays, and the
    /// indexer passes each one through several collections on its way to the database, where copying and
    /// releasing every array was a measurable share of its work.
    private final class Storage: @unchecked Sendable {
        // Mutated only through `unique()`, so never while shared: a value type's storage.
        var signature: Signature
        var slot: UInt64
        var blockTime: Int64?
        var transaction: Transaction
        var meta: TransactionStatusMeta

        init(signature: Signature, slot: UInt64, blockTime: Int64?, transaction: Transaction, meta: TransactionStatusMeta) {
            self.signature = signature
            self.slot = slot
            self.blockTime = blockTime
            self.transaction = transaction
            self.meta = meta
        }

        func copy() -> Storage { Storage(signature: signature, slot: slot, blockTime: blockTime, transaction: transaction, meta: meta) }
    }

    private var storage: Storage

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    public var signature: Signature {
        get { storage.signature }
        set { unique().signature = newValue }
    }
    public var slot: UInt64 {
        get { storage.slot }
        set { unique().slot = newValue }
    }
    /// Unix seconds, when the node knows it.
    public var blockTime: Int64? {
        get { storage.blockTime }
        set { unique().blockTime = newValue }
    }
    public var transaction: Transaction {
        get { storage.transaction }
        _modify { yield &unique().transaction }
    }
    public var meta: TransactionStatusMeta {
        get { storage.meta }
        _modify { yield &unique().meta }
    }

    public init(signature: Signature, slot: UInt64, blockTime: Int64?, transaction: Transaction, meta: TransactionStatusMeta) {
        storage = Storage(signature: signature, slot: slot, blockTime: blockTime, transaction: transaction, meta: meta)
    }

    public static func == (lhs: FetchedTransaction, rhs: FetchedTransaction) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.signature == rhs.signature && lhs.slot == rhs.slot && lhs.blockTime == rhs.blockTime
                && lhs.transaction == rhs.transaction && lhs.meta == rhs.meta)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(signature)
        hasher.combine(slot)
        hasher.combine(blockTime)
        hasher.combine(transaction)
        hasher.combine(meta)
    }

    /// Every account the instructions refer to by index: the message's keys, then the addresses loaded from lookup
    /// tables (writable, then read-only), as the runtime orders them.
    public var accountKeys: [PublicKey] {
        // Most transactions load nothing: their static keys are the whole list, shared rather than copied.
        if meta.loadedWritable.isEmpty && meta.loadedReadonly.isEmpty { return transaction.message.staticAccountKeys }
        return transaction.message.staticAccountKeys + meta.loadedWritable + meta.loadedReadonly
    }
}
