import NIOCore
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

/// Rows in COPY's text format, written field by field straight into a buffer: fields separated by tabs, `\N` for
/// NULL, text escaped, numbers and timestamps written digit by digit (no intermediate strings).
struct CopyRows: Sendable {
    /// The rows, in an array rather than a `ByteBuffer`: ByteBuffer's inlined writes reach its storage class, and each
    /// such access was checked for exclusivity at run time (NIO itself is built without the checks).
    private(set) var bytes: [UInt8] = []

    /// The rows, for `copyFrom`.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
    private var fields = 0

    /// Appends `other`'s rows.
    mutating func append(_ other: CopyRows) {
        bytes += other.bytes
    }

    private mutating func separate() {
        if fields > 0 { bytes.append(UInt8(ascii: "\t")) }
        fields += 1
    }

    mutating func null() {
        separate()
        Self.write("\\N", into: &bytes)
    }

    /// Text, escaped (a NUL, which PostgreSQL text cannot hold, becomes U+FFFD, as in `IndexWriteStatement`).
    mutating func text(_ field: String?) {
        guard var field else { return null() }
        separate()
        let plain = field.withUTF8 { utf8 in ByteScan.firstEscaped(in: utf8, from: 0, quote: false) == utf8.count }
        if plain {
            bytes.append(contentsOf: field.utf8)
            return
        }
        for byte in field.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): Self.write("\\\\", into: &bytes)
            case UInt8(ascii: "\t"): Self.write("\\t", into: &bytes)
            case UInt8(ascii: "\n"): Self.write("\\n", into: &bytes)
            case UInt8(ascii: "\r"): Self.write("\\r", into: &bytes)
            case 0: bytes.append(contentsOf: "\u{FFFD}".utf8)
            default: bytes.append(byte)
            }
        }
    }

    mutating func number(_ value: some BinaryInteger) {
        separate()
        Self.writeDecimal(value, into: &bytes)
    }

    /// Unix seconds as a timestamptz literal in UTC (`2026-11-23 09:30:00+00`), by the civil-from-days algorithm.
    mutating func timestamp(_ unix: Int64) {
        separate()
        let days = unix >= 0 ? unix / 86_400 : (unix - 86_399) / 86_400
        let seconds = unix - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        if year < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        let magnitude = year.magnitude
        if magnitude < 1000 { bytes.append(UInt8(ascii: "0")) }
        if magnitude < 100 { bytes.append(UInt8(ascii: "0")) }
        if magnitude < 10 { bytes.append(UInt8(ascii: "0")) }
        Self.writeDecimal(magnitude, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.two(month, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.two(day, into: &bytes)
        bytes.append(UInt8(ascii: " "))
        Self.two(seconds / 3_600, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.two(seconds % 3_600 / 60, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.two(seconds % 60, into: &bytes)
        Self.write("+00", into: &bytes)
    }

    mutating func end() {
        bytes.append(UInt8(ascii: "\n"))
        fields = 0
    }

    static func write(_ text: StaticString, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Two digits, zero-padded.
    static func two(_ value: Int64, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    static func writeDecimal(_ value: some BinaryInteger, into bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
