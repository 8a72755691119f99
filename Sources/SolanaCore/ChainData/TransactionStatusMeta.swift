/// What a transaction did, as the node recorded it (`meta` of `getTransaction`).
public struct TransactionStatusMeta: Sendable, Hashable {
    /// The transaction's error (the node's JSON form, such as `{"InstructionError":[1,{"Custom":1}]}`), nil when it
    /// succeeded. A failed transaction still paid its fee and moved nothing else.
    public var error: JSONValue?
    public var fee: UInt64
    /// Lamports of every account (in `FetchedTransaction.accountKeys` order) before and after.
    public var preBalances: [UInt64]
    public var postBalances: [UInt64]
    /// Token accounts' balances before and after: the transaction's token accounts that existed at that moment.
    public var preTokenBalances: [TokenBalance]
    public var postTokenBalances: [TokenBalance]
    /// The instructions programs invoked, by the top-level instruction that invoked them.
    public var innerInstructions: [InnerInstructions]
    /// The programs' log lines, nil when the node kept none.
    public var logMessages: LogLines?
    public var loadedWritable: [PublicKey]
    public var loadedReadonly: [PublicKey]
    public var computeUnitsConsumed: UInt64?

    public init(
        error: JSONValue? = nil, fee: UInt64, preBalances: [UInt64], postBalances: [UInt64], preTokenBalances: [TokenBalance] = [],
        postTokenBalances: [TokenBalance] = [], innerInstructions: [InnerInstructions] = [], logMessages: LogLines? = nil,
        loadedWritable: [PublicKey] = [], loadedReadonly: [PublicKey] = [], computeUnitsConsumed: UInt64? = nil
    ) {
        self.error = error
        self.fee = fee
        self.preBalances = preBalances
        self.postBalances = postBalances
        self.preTokenBalances = preTokenBalances
        self.postTokenBalances = postTokenBalances
        self.innerInstructions = innerInstructions
        self.logMessages = logMessages
        self.loadedWritable = loadedWritable
        self.loadedReadonly = loadedReadonly
        self.computeUnitsConsumed = computeUnitsConsumed
    }
}

/// A transaction's log lines, kept as their UTF-8 bytes in one buffer (with where each line ends) and made into
/// strings only when read: the indexer reads few transactions' logs (the failed ones', the watched program's), and
/// a string per line of every transaction was a sizeable part of decoding `getTransaction` answers.
public struct LogLines: RandomAccessCollection, Sendable, Hashable, ExpressibleByArrayLiteral, CustomStringConvertible {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    public init() {}

    public init(_ lines: some Sequence<String>) {
        for var line in lines { line.withUTF8 { append($0) } }
    }

    public init(arrayLiteral lines: String...) {
        self.init(lines)
    }

    /// Adds a line given as UTF-8 (invalid UTF-8 is repaired when the line is read, as `String(decoding:)` does).
    public mutating func append(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: utf8)
        ends.append(bytes.count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    public subscript(position: Int) -> String {
        let start = position == 0 ? 0 : ends[position - 1]
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<ends[position]]), as: UTF8.self) }
    }

    public var description: String { Array(self).description }
}
