import SolanaCore

/// One write of the indexer: transactions (with their rows rendered for COPY by the writer's caller, so that the
/// work is spread over the callers), cursor advances and newly followed addresses; several are merged into one
/// database transaction.
struct IndexWrite: Sendable {
    var transactions: [IndexedTransaction]
    var rows: IndexCopyRows
    var advances: [CursorAdvance]
    var discovered: [AddressCursor]

    init(transactions: [IndexedTransaction], advances: [CursorAdvance], discovered: [AddressCursor]) {
        self.transactions = transactions
        self.rows = IndexCopyRows(transactions)
        self.advances = advances
        self.discovered = discovered
    }

    /// The writes as one: each transaction once, one advance per address (the newest, with the signatures of all
    /// summed), each discovered address once.
    init(merging writes: [IndexWrite]) {
        guard var merged = writes.first else {
            self.init(transactions: [], advances: [], discovered: [])
            return
        }
        if writes.count > 1 {
            var signatures = Set(merged.transactions.map(\.signature))
            var advances: [PublicKey: CursorAdvance] = [:]
            var order: [PublicKey] = []
            func add(_ advance: CursorAdvance) {
                guard var existing = advances[advance.address] else {
                    advances[advance.address] = advance
                    order.append(advance.address)
                    return
                }
                existing.signatures += advance.signatures
                if advance.newest.slot >= existing.newest.slot { existing.newest = advance.newest }
                advances[advance.address] = existing
            }
            merged.advances.forEach(add)
            var discovered = Set(merged.discovered.map(\.address))
            for write in writes.dropFirst() {
                let fresh = write.transactions.filter { signatures.insert($0.signature).inserted }
                if fresh.count == write.transactions.count {
                    merged.transactions += write.transactions
                    merged.rows.append(write.rows)
                } else {
                    merged.transactions += fresh
                    merged.rows.append(IndexCopyRows(fresh))
                }
                write.advances.forEach(add)
                merged.discovered += write.discovered.filter { discovered.insert($0.address).inserted }
            }
            merged.advances = order.compactMap { advances[$0] }
        }
        self = merged
    }
}
