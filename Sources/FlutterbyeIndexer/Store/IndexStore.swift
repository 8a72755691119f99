public import FlutterbyeStore
import Foundation
public import Logging
import NIOCore
import NIOPosix
public import PostgresNIO
public import SolanaCore
import SolanaRPC

/// The indexer's PostgreSQL side: writes indexed transactions with the cursor they advance in one database
/// transaction (so a crash leaves either both or neither), reads the cursors back, and settles confirmed rows as finalized or dropped.
/// Every write is idempotent: writing the same transaction again, from any address's history, changes nothing.
///
/// Concurrent writes are committed as a group (as River's completer does): while `writersInFlight` database
/// transactions run (two, so that PostgreSQL works on one while the other's round trips travel), the writes that
/// arrive wait, and the next transaction carries all of them. A conflict with another process's writer falls back to
/// the idempotent statement.
public struct IndexStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    let writes: StatementCoalescer<IndexWrite, Void>
    /// Where the store's tasks wait for PostgreSQL: an event loop's thread, not the cooperative pool, where a reply
    /// would queue behind the decoding of RPC answers (a write's ten round trips then took tens of milliseconds
    /// while PostgreSQL sat idle).
    let executor: EventLoopTaskExecutor
    /// The longest a statement (a write: its whole database transaction) may go unanswered before it is abandoned as
    /// the database being unavailable; an abandoned write may still commit, which every write allows (idempotent).
    let statementTimeout: Duration
    let deadlines: StatementDeadlines

    /// A store on a running `PostgresClient`. A statement that gets no answer within `statementTimeout` fails with
    /// `databaseUnavailable` instead of waiting: PostgresNIO never answers a statement written to a connection that
    /// has just closed, and the indexer would wait with it for ever (and never stop on SIGTERM).
    public init(client: PostgresClient, logger: Logger, writersInFlight: Int = 2, statementTimeout: Duration = .seconds(30)) {
        self.client = client
        self.logger = logger
        let executor = EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton.next())
        self.executor = executor
        self.statementTimeout = statementTimeout
        let deadlines = StatementDeadlines()
        self.deadlines = deadlines
        self.writes = StatementCoalescer(maxInFlight: writersInFlight, maxBatch: 64) { [client, logger] requests in
            await withTaskExecutorPreference(executor) {
                let write = IndexWrite(merging: requests)
                let doing = "storing \(write.transactions.count) indexed transaction(s)"
                let result: Result<Void, StoreError>
                do {
                    try await deadlines.run(within: statementTimeout) { try await Self.write(write, client: client, logger: logger) }
                    result = .success(())
                } catch let error as StoreError {
                    result = .failure(error)
                } catch is StatementDeadlines.Expired {
                    result = .failure(Self.unanswered(doing, within: statementTimeout))
                } catch {
                    result = .failure(StoreError.statementFailed(error, while: doing))
                }
                return Array(repeating: result, count: requests.count)
            }
        }
    }

    /// The failure of a statement abandoned after `timeout` without an answer.
    static func unanswered(_ doing: String, within timeout: Duration) -> StoreError {
        StoreError.unanswered(
            doing, within: timeout, effect: "it may still take effect: every index write is idempotent", tables: "the flutterbye.chain_* tables")
    }

    // MARK: Writing

    /// Stores `transactions` (only relevant ones should be given), adds `discovered` addresses to the followed ones
    /// (an address already followed keeps its role and cursor), and applies `advance`, all in one database
    /// transaction (shared with the writes that arrive meanwhile). A cursor never moves back: an advance to an older
    /// slot than the stored one is ignored.
    ///
    /// New rows go in by COPY, PostgreSQL's fastest way in, which refuses a row whose key exists; when one does (a
    /// transaction another writer stored meanwhile, or one delivered again), nothing of the COPY stays and the write
    /// is made again by the idempotent statement (`ON CONFLICT DO NOTHING` on every key), after
    /// `flutterbye.take_back_transactions`: a dropped transaction delivered again is restored in its slot, and
    /// replaced when it landed in another. A deadlock with a concurrent writer of the same rows is retried.
    public func write(
        _ transactions: [IndexedTransaction], advance: CursorAdvance?, discovered: [AddressCursor] = []
    ) async throws(StoreError) {
        // No Solana slot comes near 2^63 (a slot every 400 ms for billions of years): a larger one is a wrong answer,
        // refused here rather than stored as a negative bigint that every reader would have to make sense of.
        let bigint = UInt64(Int64.max)
        if let wrong = transactions.first(where: { $0.slot > bigint }) {
            throw Self.slotRefusal("the transaction \(wrong.signature)", wrong.slot)
        }
        if let advance, advance.newest.slot > bigint { throw Self.slotRefusal("the cursor of \(advance.address)", advance.newest.slot) }
        try await writes.submit(IndexWrite(transactions: transactions, advances: advance.map { [$0] } ?? [], discovered: discovered)).get()
    }

    /// The refusal of `what` at `slot`, past what a bigint holds.
    static func slotRefusal(_ what: String, _ slot: UInt64) -> StoreError {
        StoreError(
            .queryFailed,
            "refusing to index \(what) at slot \(slot), past any slot a Solana cluster reaches: the RPC's answer is wrong; nothing of the batch was written"
        )
    }

    /// Writes `write` in one database transaction: by COPY, or by the idempotent statement when a row exists. A
    /// write without transactions (cursors and followed addresses only) is the cursor statement alone.
    static func write(_ write: IndexWrite, client: PostgresClient, logger: Logger) async throws(StoreError) {
        let doing =
            "storing \(write.transactions.count) indexed transaction(s)" + (write.advances.isEmpty ? "" : " and \(write.advances.count) cursor(s)")
        let cursors = IndexCursorStatement(advances: write.advances, discovered: write.discovered)
        guard !write.transactions.isEmpty else {
            guard !cursors.isEmpty else { return }
            return try await execute(cursors, doing, client: client, logger: logger)
        }
        do {
            return try await copy(write.rows, then: cursors, doing, client: client, logger: logger)
        } catch  where error.sqlState == "23505" || error.isConcurrencyConflict {
            logger.debug("a copied row exists already; writing the batch idempotently", metadata: ["transactions": "\(write.transactions.count)"])
        }
        try await takeBackAndWrite(
            IndexWriteStatement(transactions: write.transactions, advances: write.advances, discovered: write.discovered), doing,
            client: client, logger: logger)
    }

    /// Runs the idempotent `statement` after `flutterbye.take_back_transactions` for its transactions, in one database
    /// transaction (again when it meets a concurrent writer): a dropped transaction delivered again in its slot is
    /// restored, and one stored in another slot (a fork that died) is replaced by what the chain has now.
    static func takeBackAndWrite(_ statement: IndexWriteStatement, _ doing: String, client: PostgresClient, logger: Logger) async throws(StoreError) {
        let signatures = statement.transactions.map(\.signature.base58)
        let slots = statement.transactions.map { Int64(bitPattern: $0.slot) }
        try await retryingConcurrencyConflicts(doing, logger: logger) {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.query(
                        "SELECT flutterbye.take_back_transactions(\(signatures)::text[], \(slots)::int8[])", logger: logger)
                    for try await _ in try await connection.execute(statement, logger: logger) {}
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Runs `statement` (a database transaction of its own), again when it meets a concurrent writer.
    static func execute(
        _ statement: some PostgresPreparedStatement, _ doing: String, client: PostgresClient, logger: Logger
    ) async throws(StoreError) {
        try await retryingConcurrencyConflicts(doing, logger: logger) {
            for try await _ in try await client.execute(statement, logger: logger) {}
        }
    }

    /// Runs `transaction` (one database transaction), again, up to 5 times in all, while it fails by meeting a
    /// concurrent writer; any other failure is thrown at once.
    static func retryingConcurrencyConflicts(
        _ doing: String, logger: Logger, _ transaction: () async throws -> Void
    ) async throws(StoreError) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await transaction()
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

    /// Follows the configured addresses (`addresses`: the mint, the wallets and the program as configured now, each in
    /// the role configured now) and retires the configured addresses of earlier configurations: no longer followed
    /// (`cursors()`) nor shown (`status()`), their rows kept, so that an address configured again resumes at its cursor.
    public func followConfigured(_ addresses: [AddressCursor]) async throws(StoreError) {
        try await follow(addresses)
        let roles = AddressRole.allCases.filter(\.isConfigured).map(\.rawValue)
        let configured = addresses.map(\.address.base58)
        // Each configured address in the role configured now, and followed again if it was retired; either way, the
        // transactions stored meanwhile lack its rows (`ConfiguredBackfill`).
        _ = try await run(
            """
            UPDATE flutterbye.chain_address_cursors c SET role = x.role, retired_at = NULL, backfilled_at = NULL
            FROM unnest(\(configured)::text[], \(addresses.map(\.role.rawValue))::text[]) AS x(address, role)
            WHERE c.address = x.address AND (c.role <> x.role OR c.retired_at IS NOT NULL)
            """, "following the configured addresses in their configured roles")
        _ = try await run(
            """
            UPDATE flutterbye.chain_address_cursors SET retired_at = now()
            WHERE role = ANY(\(roles)::text[]) AND retired_at IS NULL AND address <> ALL(\(configured)::text[])
            """, "retiring the addresses the configuration no longer names")
    }

    // MARK: Reading

    /// Every followed address (none retired) with its cursor, when its history last had something new (or when it was discovered)
    /// and whether it is closed, oldest discovery first.
    public func cursors() async throws(StoreError) -> [AddressCursor] {
        let rows = try await run(
            """
            SELECT address, role, newest_signature, newest_slot, coalesce(last_activity_at, discovered_at), closed_slot
            FROM flutterbye.chain_address_cursors WHERE retired_at IS NULL ORDER BY discovered_at, address
            """, "reading the index cursors")
        var cursors: [AddressCursor] = []
        for row in rows {
            do {
                let (address, role, signature, slot, activity, closed) = try row.decode((String, String, String?, Int64?, Date, Int64?).self)
                guard let key = try? PublicKey(base58: address), let role = AddressRole(rawValue: role) else { continue }
                var cursor: SignatureCursor?
                if let signature, let slot, let parsed = try? Signature(base58: signature) {
                    // Never a trap on what the table holds: a negative slot (written by hand, or by a version that
                    // stored any u64) reads as 0, so the address is read back to its signature again.
                    cursor = SignatureCursor(signature: parsed, slot: UInt64(clamping: slot))
                }
                cursors.append(
                    AddressCursor(address: key, role: role, cursor: cursor, lastActivity: activity, closedSlot: closed.map { UInt64(max(0, $0)) }))
            } catch {
                throw StoreError.statementFailed(error, while: "reading the index cursors")
            }
        }
        return cursors
    }

    /// Marks token accounts closed (at the slot their history was read to) or open again (nil).
    public func setClosed(_ changes: [PublicKey: UInt64?]) async throws(StoreError) {
        guard !changes.isEmpty else { return }
        let sorted = changes.map { (address: $0.key.base58, slot: $0.value) }.sorted { $0.address < $1.address }
        // -1: open.
        let addresses = sorted.map(\.address)
        let slots = sorted.map { $0.slot.map { Int64(clamping: $0) } ?? -1 }
        _ = try await run(
            """
            UPDATE flutterbye.chain_address_cursors c SET closed_slot = NULLIF(s.slot, -1), updated_at = now()
            FROM unnest(\(addresses)::text[], \(slots)::int8[]) AS s(address, slot)
            WHERE c.address = s.address AND c.closed_slot IS DISTINCT FROM NULLIF(s.slot, -1)
            """, "marking \(changes.count) token account(s) closed or open")
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
            LEFT JOIN flutterbye.chain_address_cursors ON role = ANY(\(configured)::text[]) AND retired_at IS NULL
            ORDER BY role, address
            """, "reading the index status")
        var status = IndexStatus(addresses: [], discoveredAccounts: 0, finalizedWatermark: nil, newestIndexedSlot: nil)
        for row in rows {
            do {
                let (address, role, signature, slot, seen, updated, discovered, watermark, newest) = try row.decode(
                    (String?, String?, String?, Int64?, Int64?, Date?, Int64, Int64?, Int64?).self)
                status.discoveredAccounts = Int(discovered)
                status.finalizedWatermark = watermark.map { UInt64(max(0, $0)) }
                status.newestIndexedSlot = newest.map { UInt64(clamping: $0) }
                guard let address, let role = role.flatMap(AddressRole.init(rawValue:)) else { continue }
                status.addresses.append(
                    IndexStatus.Address(
                        address: address, role: role, newestSignature: signature, newestSlot: slot.map { UInt64(clamping: $0) },
                        signaturesSeen: Int(seen ?? 0), updatedAt: updated))
            } catch {
                throw StoreError.statementFailed(error, while: "reading the index status")
            }
        }
        return status
    }

    /// Which of `signatures` are stored already (from any address's history) and not dropped: a dropped one listed
    /// again is fetched again, and so restored.
    public func storedSignatures(among signatures: [Signature]) async throws(StoreError) -> Set<Signature> {
        guard !signatures.isEmpty else { return [] }
        let texts = signatures.map(\.base58)
        let rows = try await run(
            "SELECT signature FROM flutterbye.chain_transactions WHERE signature = ANY(\(texts)::text[]) AND NOT dropped",
            "looking up indexed signatures")
        var stored: Set<Signature> = []
        for row in rows {
            if let text = try? row.decode(String.self), let signature = try? Signature(base58: text) { stored.insert(signature) }
        }
        return stored
    }

    // MARK: Plumbing

    func run(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [PostgresRow] {
        let result: Result<[PostgresRow], StoreError> = await withTaskExecutorPreference(executor) { [client, logger, deadlines, statementTimeout] in
            do {
                return .success(
                    try await deadlines.run(within: statementTimeout) {
                        var rows: [PostgresRow] = []
                        for try await row in try await client.query(query, logger: logger) { rows.append(row) }
                        return rows
                    })
            } catch is StatementDeadlines.Expired {
                return .failure(Self.unanswered(doing, within: statementTimeout))
            } catch {
                return .failure(StoreError.statementFailed(error, while: doing))
            }
        }
        return try result.get()
    }
}
