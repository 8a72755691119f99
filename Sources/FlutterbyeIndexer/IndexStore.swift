public import Foundation
import NIOCore
import NIOPosix
public import FlutterbyeStore
public import Logging
public import PostgresNIO
public import SolanaCore
import SolanaRPC

/// The indexer's PostgreSQL side: writes indexed transactions with the cursor they advance in one database
/// transaction (so a crash leaves either both or neither), reads the cursors back, and settles confirmed rows as finalized or dropped.
/// Every write is idempotent: writing the same transaction again, from any address's history, changes nothing.
///
/// Concurrent writes are committed as a group (as River's completer and PostgreSQL's own group commit do): while
/// `writersInFlight` database transactions run, the writes that arrive wait, and the next transaction carries all of
/// them, so a busy indexer writes few large transactions. Two writers (the default) keep PostgreSQL busy while the
/// other write's round trips (BEGIN, the COPYs, the cursors, COMMIT) wait on the network: with one, a third of the
/// write path was spent waiting. Writers never carry the same transaction (polls claim what they fetch), and a
/// conflict with another process's writer falls back to the idempotent statement.
public struct IndexStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    let writes: StatementCoalescer<IndexWrite, Void>
    /// Where the store's tasks wait for PostgreSQL: an event loop's thread, not the cooperative pool, where a reply
    /// would queue behind the decoding of RPC answers (a write's ten round trips then took tens of milliseconds
    /// while PostgreSQL sat idle).
    let executor: EventLoopTaskExecutor

    public init(client: PostgresClient, logger: Logger, writersInFlight: Int = 2) {
        self.client = client
        self.logger = logger
        let executor = EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton.next())
        self.executor = executor
        self.writes = StatementCoalescer(maxInFlight: writersInFlight, maxBatch: 64) { [client, logger] requests in
            await withTaskExecutorPreference(executor) {
                let result: Result<Void, StoreError>
                do throws(StoreError) {
                    try await Self.write(IndexWrite(merging: requests), client: client, logger: logger)
                    result = .success(())
                } catch {
                    result = .failure(error)
                }
                return Array(repeating: result, count: requests.count)
            }
        }
    }

    // MARK: Writing

    /// Stores `transactions` (only relevant ones should be given), adds `discovered` addresses to the followed ones
    /// (an address already followed keeps its role and cursor), and applies `advance`, all in one database
    /// transaction (shared with the writes that arrive meanwhile). A cursor never moves back: an advance to an older
    /// slot than the stored one is ignored.
    ///
    /// New rows go in by COPY, PostgreSQL's fastest way in, which refuses a row whose key exists; when one does (a
    /// transaction another writer stored meanwhile, or one delivered again), nothing of the COPY stays and the write
    /// is made again by the idempotent statement (`ON CONFLICT DO NOTHING` on every key). A deadlock with a
    /// concurrent writer of the same rows is retried.
    public func write(
        _ transactions: [IndexedTransaction], advance: CursorAdvance?, discovered: [AddressCursor] = []
    ) async throws(StoreError) {
        try await writes.submit(IndexWrite(transactions: transactions, advances: advance.map { [$0] } ?? [], discovered: discovered)).get()
    }

    /// Writes `write` in one database transaction: by COPY, or by the idempotent statement when a row exists. A
    /// write without transactions (cursors and followed addresses only) is the cursor statement alone.
    static func write(_ write: IndexWrite, client: PostgresClient, logger: Logger) async throws(StoreError) {
        let doing = "storing \(write.transactions.count) indexed transaction(s)" + (write.advances.isEmpty ? "" : " and \(write.advances.count) cursor(s)")
        let cursors = IndexCursorStatement(advances: write.advances, discovered: write.discovered)
        guard !write.transactions.isEmpty else {
            guard !cursors.isEmpty else { return }
            return try await execute(cursors, doing, client: client, logger: logger)
        }
        do {
            return try await copy(write.rows, then: cursors, doing, client: client, logger: logger)
        } catch where error.sqlState == "23505" || error.isConcurrencyConflict {
            logger.debug("a copied row exists already; writing the batch idempotently", metadata: ["transactions": "\(write.transactions.count)"])
        }
        try await execute(
            IndexWriteStatement(transactions: write.transactions, advances: write.advances, discovered: write.discovered), doing,
            client: client, logger: logger)
    }

    /// Runs `statement` (a database transaction of its own), again when it meets a concurrent writer.
    static func execute(
        _ statement: some PostgresPreparedStatement, _ doing: String, client: PostgresClient, logger: Logger
    ) async throws(StoreError) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                for try await _ in try await client.execute(statement, logger: logger) {}
                return
            } catch {
                let failure = StoreError.statementFailed(error, while: doing)
                guard failure.isConcurrencyConflict, attempt < 5 else { throw failure }
                logger.debug("index write met a concurrent writer; retrying", metadata: ["attempt": "\(attempt)"])
            }
        }
    }

    /// COPYs `rows` into the chain_* tables and runs `statement` (the cursors and the discovered addresses), in one
    /// database transaction.
    static func copy(
        _ rows: IndexCopyRows, then statement: IndexCursorStatement, _ doing: String, client: PostgresClient, logger: Logger
    ) async throws(StoreError) {
        do {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    // copyFrom quotes the table name as one identifier: the schema comes from the search path.
                    try await connection.query("SET LOCAL search_path TO flutterbye", logger: logger)
                    for table in rows.tables where !table.rows.bytes.isEmpty {
                        try await connection.copyFrom(table: table.name, columns: table.columns, logger: logger) { writer in
                            try await writer.write(table.rows.buffer)
                        }
                    }
                    if !statement.isEmpty {
                        for try await _ in try await connection.execute(statement, logger: logger) {}
                    }
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw StoreError.statementFailed(error, while: doing)
        }
    }

    /// Adds addresses to follow (those already followed are left as they are).
    public func follow(_ addresses: [AddressCursor]) async throws(StoreError) {
        guard !addresses.isEmpty else { return }
        try await write([], advance: nil, discovered: addresses)
    }

    // MARK: Reading

    /// Every followed address with its cursor, oldest discovery first.
    public func cursors() async throws(StoreError) -> [AddressCursor] {
        let rows = try await run(
            "SELECT address, role, newest_signature, newest_slot FROM flutterbye.chain_address_cursors ORDER BY discovered_at, address",
            "reading the index cursors")
        var cursors: [AddressCursor] = []
        for row in rows {
            do {
                let (address, role, signature, slot) = try row.decode((String, String, String?, Int64?).self)
                guard let key = try? PublicKey(base58: address), let role = AddressRole(rawValue: role) else { continue }
                var cursor: SignatureCursor?
                if let signature, let slot, let parsed = try? Signature(base58: signature) {
                    cursor = SignatureCursor(signature: parsed, slot: UInt64(slot))
                }
                cursors.append(AddressCursor(address: key, role: role, cursor: cursor))
            } catch {
                throw StoreError.statementFailed(error, while: "reading the index cursors")
            }
        }
        return cursors
    }

    /// Where the index stands: the configured addresses' cursors, how many discovered token accounts are followed,
    /// and the finalized watermark (every indexed transaction at or below it is finalized or dropped).
    public func status() async throws(StoreError) -> IndexStatus {
        let configured = AddressRole.allCases.filter(\.isConfigured).map(\.rawValue)
        let rows = try await run(
            """
            SELECT address, role, newest_signature, newest_slot, signatures_seen, updated_at,
                   (SELECT count(*) FROM flutterbye.chain_address_cursors WHERE role <> ALL(\(configured)::text[])) AS discovered,
                   coalesce((SELECT min(slot) - 1 FROM flutterbye.chain_transactions WHERE NOT finalized AND NOT dropped),
                            (SELECT max(slot) FROM flutterbye.chain_transactions)) AS watermark,
                   (SELECT max(slot) FROM flutterbye.chain_transactions WHERE NOT dropped) AS newest
            FROM (SELECT NULL) AS one
            LEFT JOIN flutterbye.chain_address_cursors ON role = ANY(\(configured)::text[])
            ORDER BY role, address
            """, "reading the index status")
        var status = IndexStatus(addresses: [], discoveredAccounts: 0, finalizedWatermark: nil, newestIndexedSlot: nil)
        for row in rows {
            do {
                let (address, role, signature, slot, seen, updated, discovered, watermark, newest) = try row.decode(
                    (String?, String?, String?, Int64?, Int64?, Date?, Int64, Int64?, Int64?).self)
                status.discoveredAccounts = Int(discovered)
                status.finalizedWatermark = watermark.map { UInt64(max(0, $0)) }
                status.newestIndexedSlot = newest.map(UInt64.init)
                guard let address, let role = role.flatMap(AddressRole.init(rawValue:)) else { continue }
                status.addresses.append(
                    IndexStatus.Address(
                        address: address, role: role, newestSignature: signature, newestSlot: slot.map(UInt64.init),
                        signaturesSeen: Int(seen ?? 0), updatedAt: updated))
            } catch {
                throw StoreError.statementFailed(error, while: "reading the index status")
            }
        }
        return status
    }

    /// Which of `signatures` are stored already (from any address's history).
    public func storedSignatures(among signatures: [Signature]) async throws(StoreError) -> Set<Signature> {
        guard !signatures.isEmpty else { return [] }
        let texts = signatures.map(\.base58)
        let rows = try await run(
            "SELECT signature FROM flutterbye.chain_transactions WHERE signature = ANY(\(texts)::text[])", "looking up indexed signatures")
        var stored: Set<Signature> = []
        for row in rows {
            if let text = try? row.decode(String.self), let signature = try? Signature(base58: text) { stored.insert(signature) }
        }
        return stored
    }

    /// Up to `limit` stored transactions that are neither finalized nor dropped, oldest first.
    public func unsettled(limit: Int) async throws(StoreError) -> [(signature: Signature, slot: UInt64)] {
        let rows = try await run(
            """
            SELECT signature, slot FROM flutterbye.chain_transactions
            WHERE NOT finalized AND NOT dropped ORDER BY slot LIMIT \(Int64(limit))
            """, "reading unsettled transactions")
        var result: [(Signature, UInt64)] = []
        for row in rows {
            if let (text, slot) = try? row.decode((String, Int64).self), let signature = try? Signature(base58: text) {
                result.append((signature, UInt64(slot)))
            }
        }
        return result
    }

    /// Marks transactions finalized and others dropped (gone from the chain: they leave every view but
    /// `indexed_transactions`).
    public func settle(finalized: [Signature], dropped: [Signature]) async throws(StoreError) {
        guard !finalized.isEmpty || !dropped.isEmpty else { return }
        let finalizedTexts = finalized.map(\.base58), droppedTexts = dropped.map(\.base58)
        _ = try await run(
            """
            UPDATE flutterbye.chain_transactions
            SET finalized = signature = ANY(\(finalizedTexts)::text[]), dropped = signature = ANY(\(droppedTexts)::text[])
            WHERE signature = ANY(\(finalizedTexts)::text[]) OR signature = ANY(\(droppedTexts)::text[])
            """, "settling \(finalized.count + dropped.count) transaction(s)")
    }

    // MARK: Plumbing

    func run(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [PostgresRow] {
        let result: Result<[PostgresRow], StoreError> = await withTaskExecutorPreference(executor) { [client, logger] in
            do {
                var rows: [PostgresRow] = []
                for try await row in try await client.query(query, logger: logger) { rows.append(row) }
                return .success(rows)
            } catch {
                return .failure(StoreError.statementFailed(error, while: doing))
            }
        }
        return try result.get()
    }
}

/// Runs tasks on an event loop's thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

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
        var logs = Table(name: "chain_program_log_lines", columns: ["signature", "line_index", "line"])
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
                if movement.instructionIndex == FlbyMovement.balanceDerived { movements.rows.null() } else { movements.rows.number(movement.instructionIndex) }
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
            for (index, line) in transaction.programLogs.enumerated() {
                logs.rows.text(signature)
                logs.rows.number(index)
                logs.rows.text(line)
                logs.rows.end()
            }
        }
        tables = [transactionRows, movements, balances, activity, logs]
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

/// The indexer's one write: transactions with their movements, balance changes, wallet activity and log lines, new
/// followed addresses and a cursor advance, as arrays unnested into the chain_* tables (`ON CONFLICT DO NOTHING`
/// everywhere, rows in key order so that concurrent writers of the same rows take their locks in the same order).
struct IndexWriteStatement: PostgresPreparedStatement {
    static let name = "flutterbye_index_write_v2"
    static let sql = """
        WITH transactions AS (
            INSERT INTO flutterbye.chain_transactions (signature, slot, block_time, fee, err, memo, logs)
            SELECT signature, slot, to_timestamp(NULLIF(block_time, '')::bigint), fee::numeric, NULLIF(err, '')::jsonb,
                   CASE WHEN has_memo THEN memo END, NULLIF(logs, '')::jsonb
            FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $42::text[])
                AS t(signature, slot, block_time, fee, err, memo, has_memo, logs)
            ON CONFLICT (signature) DO NOTHING
            RETURNING 1
        ), movements AS (
            INSERT INTO flutterbye.chain_flby_movements (signature, movement_index, instruction_index, inner_index, kind,
                source_account, source_owner, destination_account, destination_owner, amount)
            SELECT signature, movement_index, NULLIF(instruction_index, -1), NULLIF(inner_index, -1), kind,
                   NULLIF(source_account, ''), NULLIF(source_owner, ''), NULLIF(destination_account, ''),
                   NULLIF(destination_owner, ''), amount::numeric
            FROM unnest($8::text[], $9::int4[], $10::int4[], $11::int4[], $12::text[], $13::text[], $14::text[], $15::text[],
                        $16::text[], $17::text[])
                AS m(signature, movement_index, instruction_index, inner_index, kind, source_account, source_owner,
                     destination_account, destination_owner, amount)
            ON CONFLICT (signature, movement_index) DO NOTHING
            RETURNING 1
        ), balances AS (
            INSERT INTO flutterbye.chain_flby_balance_changes (signature, token_account, owner, slot, pre_amount, post_amount)
            SELECT signature, token_account, NULLIF(owner, ''), slot, NULLIF(pre_amount, '')::numeric, post_amount::numeric
            FROM unnest($18::text[], $19::text[], $20::text[], $21::int8[], $22::text[], $23::text[])
                AS b(signature, token_account, owner, slot, pre_amount, post_amount)
            ON CONFLICT (signature, token_account) DO NOTHING
            RETURNING 1
        ), activity AS (
            INSERT INTO flutterbye.chain_wallet_activity (signature, wallet, address, slot, pre_lamports, post_lamports,
                lamports_delta, flby_delta)
            SELECT signature, wallet, address, slot, NULLIF(pre_lamports, '')::numeric, NULLIF(post_lamports, '')::numeric,
                   lamports_delta, flby_delta::numeric
            FROM unnest($24::text[], $25::text[], $26::text[], $27::int8[], $28::text[], $29::text[], $30::int8[], $31::text[])
                AS w(signature, wallet, address, slot, pre_lamports, post_lamports, lamports_delta, flby_delta)
            ON CONFLICT (signature, wallet) DO NOTHING
            RETURNING 1
        ), logs AS (
            INSERT INTO flutterbye.chain_program_log_lines (signature, line_index, line)
            SELECT signature, line_index, line FROM unnest($32::text[], $33::int4[], $34::text[]) AS l(signature, line_index, line)
            ON CONFLICT (signature, line_index) DO NOTHING
            RETURNING 1
        ), \(cursorCTEs(discovered: 35, advanced: 37))
        SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM movements), (SELECT count(*) FROM balances),
               (SELECT count(*) FROM activity), (SELECT count(*) FROM logs), (SELECT count(*) FROM discovered),
               (SELECT count(*) FROM advanced)
        """
    typealias Row = Int64

    var transactions: [IndexedTransaction]
    var advances: [CursorAdvance]
    var discovered: [AddressCursor]

    func makeBindings() throws -> PostgresBindings {
        // Base58 text is made once per key (sorting by it directly would make it again on every comparison).
        let keyed = transactions.map { (key: $0.signature.base58, transaction: $0) }.sorted { $0.key < $1.key }
        let sorted = keyed.map(\.transaction)
        var bindings = PostgresBindings(capacity: 42)
        bindings.append(keyed.map(\.key))
        bindings.append(sorted.map { Int64(bitPattern: $0.slot) })
        bindings.append(sorted.map { $0.blockTime.map(String.init) ?? "" })
        bindings.append(sorted.map { String($0.fee) })
        bindings.append(sorted.map { Self.errorJSON($0.error) ?? "" })
        bindings.append(sorted.map { Self.text($0.memo ?? "") })
        bindings.append(sorted.map { $0.memo != nil })

        var m: (signature: [String], index: [Int32], instruction: [Int32], inner: [Int32], kind: [String], sourceAccount: [String],
            sourceOwner: [String], destinationAccount: [String], destinationOwner: [String], amount: [String]) = ([], [], [], [], [], [], [], [], [], [])
        var b: (signature: [String], account: [String], owner: [String], slot: [Int64], pre: [String], post: [String]) = ([], [], [], [], [], [])
        var w: (signature: [String], wallet: [String], address: [String], slot: [Int64], pre: [String], post: [String], delta: [Int64],
            flby: [String]) = ([], [], [], [], [], [], [], [])
        var l: (signature: [String], index: [Int32], line: [String]) = ([], [], [])
        for (signature, transaction) in keyed {
            for (index, movement) in transaction.movements.enumerated() {
                m.signature.append(signature)
                m.index.append(Int32(index))
                m.instruction.append(Int32(clamping: movement.instructionIndex))
                m.inner.append(Int32(clamping: movement.innerIndex ?? -1))
                m.kind.append(movement.kind.rawValue)
                m.sourceAccount.append(movement.sourceAccount?.base58 ?? "")
                m.sourceOwner.append(movement.sourceOwner?.base58 ?? "")
                m.destinationAccount.append(movement.destinationAccount?.base58 ?? "")
                m.destinationOwner.append(movement.destinationOwner?.base58 ?? "")
                m.amount.append(String(movement.amount))
            }
            for (account, balance) in transaction.flbyBalances.map({ ($0.account.base58, $0) }).sorted(by: { $0.0 < $1.0 }) {
                b.signature.append(signature)
                b.account.append(account)
                b.owner.append(balance.owner?.base58 ?? "")
                b.slot.append(Int64(bitPattern: transaction.slot))
                b.pre.append(balance.preAmount.map(String.init) ?? "")
                b.post.append(String(balance.amount))
            }
            for activity in transaction.walletActivity.sorted(by: { $0.role.rawValue < $1.role.rawValue }) {
                w.signature.append(signature)
                w.wallet.append(activity.role.rawValue)
                w.address.append(activity.wallet.base58)
                w.slot.append(Int64(bitPattern: transaction.slot))
                w.pre.append(activity.preLamports.map(String.init) ?? "")
                w.post.append(activity.postLamports.map(String.init) ?? "")
                w.delta.append(activity.lamportsDelta)
                w.flby.append(String(activity.flbyDelta))
            }
            for (index, line) in transaction.programLogs.enumerated() {
                l.signature.append(signature)
                l.index.append(Int32(clamping: index))
                l.line.append(Self.text(line))
            }
        }
        bindings.append(m.signature)
        bindings.append(m.index)
        bindings.append(m.instruction)
        bindings.append(m.inner)
        bindings.append(m.kind)
        bindings.append(m.sourceAccount)
        bindings.append(m.sourceOwner)
        bindings.append(m.destinationAccount)
        bindings.append(m.destinationOwner)
        bindings.append(m.amount)
        bindings.append(b.signature)
        bindings.append(b.account)
        bindings.append(b.owner)
        bindings.append(b.slot)
        bindings.append(b.pre)
        bindings.append(b.post)
        bindings.append(w.signature)
        bindings.append(w.wallet)
        bindings.append(w.address)
        bindings.append(w.slot)
        bindings.append(w.pre)
        bindings.append(w.post)
        bindings.append(w.delta)
        bindings.append(w.flby)
        bindings.append(l.signature)
        bindings.append(l.index)
        bindings.append(l.line)

        Self.appendCursorBindings(advances: advances, discovered: discovered, to: &bindings)
        bindings.append(sorted.map { $0.failureLogs.map(Self.logsJSON) ?? "" })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64).self).0 }

    /// The statement's last two parts, shared with `IndexCursorStatement`: new followed addresses (`discovered`, an
    /// address already followed keeps its role and cursor) and cursor advances (`advanced`, never back to an older
    /// slot), their parameters numbered from `discovered` (2) and `advanced` (5).
    static func cursorCTEs(discovered d: Int, advanced a: Int) -> String {
        """
        discovered AS (
                INSERT INTO flutterbye.chain_address_cursors (address, role)
                SELECT address, role FROM unnest($\(d)::text[], $\(d + 1)::text[]) AS d(address, role)
                ON CONFLICT (address) DO NOTHING
                RETURNING 1
            ), advanced AS (
                INSERT INTO flutterbye.chain_address_cursors AS c (address, role, newest_signature, newest_slot, signatures_seen,
                    last_activity_at, updated_at)
                SELECT address, role, newest_signature, newest_slot, seen, now(), now()
                FROM unnest($\(a)::text[], $\(a + 1)::text[], $\(a + 2)::text[], $\(a + 3)::int8[], $\(a + 4)::int8[])
                    AS a(address, role, newest_signature, newest_slot, seen)
                ON CONFLICT (address) DO UPDATE
                SET newest_signature = excluded.newest_signature, newest_slot = excluded.newest_slot,
                    signatures_seen = c.signatures_seen + excluded.signatures_seen, last_activity_at = now(), updated_at = now()
                WHERE c.newest_slot IS NULL OR c.newest_slot <= excluded.newest_slot
                RETURNING 1
            )
        """
    }

    /// The parameters of `cursorCTEs`, in order: the discovered addresses that no advance names, then the advances,
    /// each by address (the order concurrent writers take their locks in).
    static func appendCursorBindings(advances: [CursorAdvance], discovered: [AddressCursor], to bindings: inout PostgresBindings) {
        let advanced = Set(advances.map(\.address))
        let newAddresses = discovered.filter { !advanced.contains($0.address) }.sorted { $0.address.base58 < $1.address.base58 }
        bindings.append(newAddresses.map(\.address.base58))
        bindings.append(newAddresses.map(\.role.rawValue))
        let ordered = advances.sorted { $0.address.base58 < $1.address.base58 }
        bindings.append(ordered.map(\.address.base58))
        bindings.append(ordered.map(\.role.rawValue))
        bindings.append(ordered.map(\.newest.signature.base58))
        bindings.append(ordered.map { Int64(bitPattern: $0.newest.slot) })
        bindings.append(ordered.map { Int64($0.signatures) })
    }

    /// A transaction's error as `chain_transactions.err` holds it (the node's JSON, keys sorted); nil when it succeeded.
    static func errorJSON(_ error: JSONValue?) -> String? {
        guard let error, error != .null else { return nil }
        return String(decoding: error.serialized, as: UTF8.self)
    }

    /// A failed transaction's log lines as the JSON array `chain_transactions.logs` holds (NUL, which jsonb refuses,
    /// becomes U+FFFD as in `text`).
    static func logsJSON(_ lines: [String]) -> String {
        String(decoding: JSONValue.array(lines.map { .string(text($0)) }).serialized, as: UTF8.self)
    }

    /// PostgreSQL text cannot hold NUL: a memo or log line carrying one keeps the rest, with U+FFFD in its place.
    static func text(_ value: String) -> String {
        // Looked for byte-wise: Foundation's substring search (`contains(_: String)`) costs a microsecond a line.
        value.utf8.contains(0) ? value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : value
    }
}

/// The cursors' part of a write that went in by COPY: new followed addresses and cursor advances, in a statement far
/// smaller to plan than `IndexWriteStatement` (PostgreSQL plans a prepared statement afresh for its first executions
/// on each connection).
struct IndexCursorStatement: PostgresPreparedStatement {
    static let name = "flutterbye_index_cursors_v1"
    static let sql = """
        WITH \(IndexWriteStatement.cursorCTEs(discovered: 1, advanced: 3))
        SELECT (SELECT count(*) FROM discovered), (SELECT count(*) FROM advanced)
        """
    typealias Row = Int64

    var advances: [CursorAdvance]
    var discovered: [AddressCursor]

    /// Whether it has nothing to do (no advance, no address).
    var isEmpty: Bool { advances.isEmpty && discovered.isEmpty }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        IndexWriteStatement.appendCursorBindings(advances: advances, discovered: discovered, to: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode((Int64, Int64).self).0 }
}

/// Where the index stands, as `IndexStore.status()` reads it: what the status API's `/v1/index` shows.
public struct IndexStatus: Sendable {
    /// A configured address (mint, escrow, fee wallet, program) and its cursor.
    public struct Address: Sendable {
        public var address: String
        public var role: AddressRole
        public var newestSignature: String?
        public var newestSlot: UInt64?
        public var signaturesSeen: Int
        public var updatedAt: Date?
    }

    public var addresses: [Address]
    /// Token accounts followed besides the configured addresses.
    public var discoveredAccounts: Int
    /// Every indexed transaction at or below this slot is finalized or dropped; nil when nothing is indexed.
    public var finalizedWatermark: UInt64?
    /// The newest slot of an indexed (not dropped) transaction.
    public var newestIndexedSlot: UInt64?
}
