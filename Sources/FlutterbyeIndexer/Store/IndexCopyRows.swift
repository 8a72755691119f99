import SolanaCore
import SolanaRPC

/// The rows of some indexed transactions in COPY's text format, one buffer per chain_* table: `\N` for NULL, and
/// backslash, tab, newline and carriage return escaped in text (a NUL, which PostgreSQL text cannot hold, becomes
/// U+FFFD, as in `IndexWriteStatement`).
package struct IndexCopyRows: Sendable {
    struct Table: Sendable {
        let name: String
        let columns: [String]
        var rows = CopyRows()
    }

    var tables: [Table]

    package init(_ transactions: [IndexedTransaction]) {
        var transactionRows = Table(name: "chain_transactions", columns: ["signature", "slot", "block_time", "fee", "err", "memo", "logs"])
        var movements = Table(
            name: "chain_flby_movements",
            columns: [
                "signature", "movement_index", "instruction_index", "inner_index", "kind", "source_account", "source_owner",
                "destination_account", "destination_owner", "amount",
            ])
        var balances = Table(
            name: "chain_flby_balance_changes", columns: ["signature", "token_account", "owner", "slot", "pre_amount", "post_amount"])
        var activity = Table(
            name: "chain_wallet_activity",
            columns: ["signature", "wallet", "address", "slot", "pre_lamports", "post_lamports", "lamports_delta", "flby_delta"])
        var logs = Table(name: "chain_program_log_lines", columns: ["signature", "line_index", "line", "depth"])
        var events = Table(
            name: "chain_program_events", columns: ["signature", "event_index", "line_index", "depth", "name", "fields", "data", "decode_error"])
        // Keys recur from row to row (the mint's holders, the wallets): each is made base58 once per batch. A value,
        // not a dictionary captured by a local function: a captured variable is boxed, and every access to it was
        // checked for exclusivity at run time.
        var names = KeyTexts()

        for transaction in transactions {
            let signature = transaction.signature.base58
            transactionRows.rows.text(signature)
            transactionRows.rows.number(transaction.slot)
            if let time = transaction.blockTime { transactionRows.rows.timestamp(time) } else { transactionRows.rows.null() }
            transactionRows.rows.number(transaction.fee)
            transactionRows.rows.text(IndexWriteStatement.errorJSON(transaction.error))
            transactionRows.rows.text(transaction.memo)
            transactionRows.rows.text(transaction.failureLogs.map(IndexWriteStatement.logsJSON))
            transactionRows.rows.end()
            for (index, movement) in transaction.movements.enumerated() {
                movements.rows.text(signature)
                movements.rows.number(index)
                if movement.instructionIndex == FlbyMovement.balanceDerived {
                    movements.rows.null()
                } else {
                    movements.rows.number(movement.instructionIndex)
                }
                if let inner = movement.innerIndex { movements.rows.number(inner) } else { movements.rows.null() }
                movements.rows.text(movement.kind.rawValue)
                movements.rows.text(names.text(movement.sourceAccount))
                movements.rows.text(names.text(movement.sourceOwner))
                movements.rows.text(names.text(movement.destinationAccount))
                movements.rows.text(names.text(movement.destinationOwner))
                movements.rows.number(movement.amount)
                movements.rows.end()
            }
            for balance in transaction.flbyBalances {
                balances.rows.text(signature)
                balances.rows.text(names.text(balance.account))
                balances.rows.text(names.text(balance.owner))
                balances.rows.number(transaction.slot)
                if let pre = balance.preAmount { balances.rows.number(pre) } else { balances.rows.null() }
                balances.rows.number(balance.amount)
                balances.rows.end()
            }
            for wallet in transaction.walletActivity {
                activity.rows.text(signature)
                activity.rows.text(wallet.role.rawValue)
                activity.rows.text(names.text(wallet.wallet))
                activity.rows.number(transaction.slot)
                if let pre = wallet.preLamports { activity.rows.number(pre) } else { activity.rows.null() }
                if let post = wallet.postLamports { activity.rows.number(post) } else { activity.rows.null() }
                activity.rows.number(wallet.lamportsDelta)
                activity.rows.number(wallet.flbyDelta)
                activity.rows.end()
            }
            for line in transaction.programLogs {
                logs.rows.text(signature)
                logs.rows.number(line.index)
                logs.rows.text(line.text)
                logs.rows.number(line.depth)
                logs.rows.end()
            }
            for (index, event) in transaction.programEvents.enumerated() {
                events.rows.text(signature)
                events.rows.number(index)
                events.rows.number(event.lineIndex)
                events.rows.number(event.depth)
                events.rows.text(event.name)
                events.rows.text(event.fields.map(IndexWriteStatement.fieldsJSON))
                events.rows.text("\\x" + IndexWriteStatement.hex(event.data))
                events.rows.text(event.decodeError)
                events.rows.end()
            }
        }
        tables = [transactionRows, movements, balances, activity, logs, events]
    }

    /// The bytes of every table's rows.
    package var byteCount: Int { tables.reduce(0) { $0 + $1.rows.bytes.count } }

    /// Appends `other`'s rows, table by table.
    mutating func append(_ other: IndexCopyRows) {
        for index in tables.indices {
            tables[index].rows.append(other.tables[index].rows)
        }
    }

}

/// The base58 text of keys, each made once.
struct KeyTexts {
    private var texts: [PublicKey: String] = [:]

    mutating func text(_ key: PublicKey?) -> String? {
        guard let key else { return nil }
        if let known = texts[key] { return known }
        let text = key.base58
        texts[key] = text
        return text
    }
}
