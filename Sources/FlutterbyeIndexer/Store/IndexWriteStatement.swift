import Foundation
import PostgresNIO
import SolanaCore
import SolanaRPC

/// The indexer's one write: transactions with their movements, balance changes, wallet activity and log lines, new
/// followed addresses and a cursor advance, as arrays unnested into the chain_* tables (`ON CONFLICT DO NOTHING`
/// everywhere, rows in key order so that concurrent writers of the same rows take their locks in the same order).
struct IndexWriteStatement: PostgresPreparedStatement {
    static let name = "flutterbye_index_write_v3"
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
            INSERT INTO flutterbye.chain_program_log_lines (signature, line_index, line, depth)
            SELECT signature, line_index, line, depth
            FROM unnest($32::text[], $33::int4[], $34::text[], $43::int4[]) AS l(signature, line_index, line, depth)
            ON CONFLICT (signature, line_index) DO NOTHING
            RETURNING 1
        ), events AS (
            INSERT INTO flutterbye.chain_program_events (signature, event_index, line_index, depth, name, fields, data, decode_error)
            SELECT signature, event_index, line_index, depth, NULLIF(name, ''), NULLIF(fields, '')::jsonb, decode(data, 'hex'),
                   NULLIF(decode_error, '')
            FROM unnest($44::text[], $45::int4[], $46::int4[], $47::int4[], $48::text[], $49::text[], $50::text[], $51::text[])
                AS e(signature, event_index, line_index, depth, name, fields, data, decode_error)
            ON CONFLICT (signature, event_index) DO NOTHING
            RETURNING 1
        ), \(cursorCTEs(discovered: 35, advanced: 37))
        SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM movements), (SELECT count(*) FROM balances),
               (SELECT count(*) FROM activity), (SELECT count(*) FROM logs), (SELECT count(*) FROM events),
               (SELECT count(*) FROM discovered), (SELECT count(*) FROM advanced)
        """
    typealias Row = Int64

    var transactions: [IndexedTransaction]
    var advances: [CursorAdvance]
    var discovered: [AddressCursor]

    func makeBindings() throws -> PostgresBindings {
        // Base58 text is made once per key (sorting by it directly would make it again on every comparison).
        let keyed = transactions.map { (key: $0.signature.base58, transaction: $0) }.sorted { $0.key < $1.key }
        let sorted = keyed.map(\.transaction)
        var bindings = PostgresBindings(capacity: 51)
        bindings.append(keyed.map(\.key))
        bindings.append(sorted.map { Int64(bitPattern: $0.slot) })
        bindings.append(sorted.map { $0.blockTime.map(String.init) ?? "" })
        bindings.append(sorted.map { String($0.fee) })
        bindings.append(sorted.map { Self.errorJSON($0.error) ?? "" })
        bindings.append(sorted.map { Self.text($0.memo ?? "") })
        bindings.append(sorted.map { $0.memo != nil })

        var m:
            (
                signature: [String], index: [Int32], instruction: [Int32], inner: [Int32], kind: [String], sourceAccount: [String],
                sourceOwner: [String], destinationAccount: [String], destinationOwner: [String], amount: [String]
            ) = ([], [], [], [], [], [], [], [], [], [])
        var b: (signature: [String], account: [String], owner: [String], slot: [Int64], pre: [String], post: [String]) = ([], [], [], [], [], [])
        var w:
            (
                signature: [String], wallet: [String], address: [String], slot: [Int64], pre: [String], post: [String], delta: [Int64],
                flby: [String]
            ) = ([], [], [], [], [], [], [], [])
        var l: (signature: [String], index: [Int32], line: [String], depth: [Int32]) = ([], [], [], [])
        var e:
            (
                signature: [String], index: [Int32], line: [Int32], depth: [Int32], name: [String], fields: [String], data: [String],
                error: [String]
            ) = ([], [], [], [], [], [], [], [])
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
            for line in transaction.programLogs {
                l.signature.append(signature)
                l.index.append(Int32(clamping: line.index))
                l.line.append(Self.text(line.text))
                l.depth.append(Int32(clamping: line.depth))
            }
            for (index, event) in transaction.programEvents.enumerated() {
                e.signature.append(signature)
                e.index.append(Int32(clamping: index))
                e.line.append(Int32(clamping: event.lineIndex))
                e.depth.append(Int32(clamping: event.depth))
                e.name.append(Self.text(event.name ?? ""))
                e.fields.append(event.fields.map(Self.fieldsJSON) ?? "")
                e.data.append(Self.hex(event.data))
                e.error.append(Self.text(event.decodeError ?? ""))
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
        bindings.append(l.depth)
        bindings.append(e.signature)
        bindings.append(e.index)
        bindings.append(e.line)
        bindings.append(e.depth)
        bindings.append(e.name)
        bindings.append(e.fields)
        bindings.append(e.data)
        bindings.append(e.error)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self).0 }

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

    /// An event's fields as `chain_program_events.fields` holds them (NUL in a string or a key, which jsonb refuses
    /// even escaped, becomes U+FFFD as in `text`).
    static func fieldsJSON(_ fields: JSONValue) -> String {
        func clean(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let string): .string(text(string))
            case .array(let items): .array(items.map(clean))
            case .object(let object): .object(Dictionary(object.map { (text($0.key), clean($0.value)) }, uniquingKeysWith: { first, _ in first }))
            default: value
            }
        }
        return String(decoding: clean(fields).serialized, as: UTF8.self)
    }

    /// Bytes as lowercase hex, for `decode(…, 'hex')` and COPY's bytea input (`\x…`).
    static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    /// PostgreSQL text cannot hold NUL: a memo or log line carrying one keeps the rest, with U+FFFD in its place.
    static func text(_ value: String) -> String {
        // Looked for byte-wise: Foundation's substring search (`contains(_: String)`) costs a microsecond a line.
        value.utf8.contains(0) ? value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : value
    }
}
