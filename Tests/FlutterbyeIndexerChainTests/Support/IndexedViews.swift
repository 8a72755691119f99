import Foundation
import Logging
import PostgresNIO

/// The analytics views' content as comparable lines, read from the database or made from a generated history's
/// expectations, so a test can say exactly which rows are missing or extra.
struct IndexedViews: Equatable, Sendable {
    var transactions: Set<String> = []
    var movements: [String] = []
    var balances: Set<String> = []
    var supply: String = ""
    var walletActivity: Set<String> = []

    static func line(_ fields: [String?]) -> String { fields.map { $0 ?? "∅" }.joined(separator: "|") }

    init() {}

    /// What the views must hold for `expected`.
    init(_ expected: GeneratedHistory.Expected) {
        transactions = Set(
            expected.transactions.filter(\.relevant).map {
                Self.line([$0.signature, String($0.fee), String($0.failed), $0.memo])
            })
        movements = expected.movements.map {
            Self.line([
                $0.signature, String($0.instruction_index), $0.inner_index.map(String.init), $0.kind, $0.source_account, $0.source_owner,
                $0.destination_account, $0.destination_owner, $0.amount,
            ])
        }.sorted()
        balances = Set(expected.balances.map { Self.line([$0.token_account, $0.owner, $0.amount]) })
        supply = Self.line([expected.supply.minted, expected.supply.burned, expected.supply.supply])
        walletActivity = Set(
            expected.wallet_activity.map {
                Self.line([$0.wallet, $0.signature, String($0.lamports_delta), $0.flby_delta, String($0.fee), String($0.failed), $0.memo])
            })
    }

    /// What the views hold now.
    static func read(_ client: PostgresClient, logger: Logger) async throws -> IndexedViews {
        var views = IndexedViews()
        for try await (signature, fee, failed, memo) in try await client.query(
            "SELECT signature, fee::text, err IS NOT NULL, memo FROM flutterbye.indexed_transactions WHERE NOT dropped", logger: logger
        ).decode((String, String, Bool, String?).self) {
            views.transactions.insert(line([signature, fee, String(failed), memo]))
        }
        for try await row in try await client.query(
            """
            SELECT signature, instruction_index, inner_index, kind, source_account, source_owner, destination_account,
                   destination_owner, amount::text FROM flutterbye.flby_movements
            """, logger: logger
        ).decode((String, Int32?, Int32?, String, String?, String?, String?, String?, String).self) {
            views.movements.append(
                line([
                    row.0, row.1.map { String($0) }, row.2.map { String($0) }, row.3, row.4, row.5, row.6, row.7, row.8,
                ]))
        }
        views.movements.sort()
        for try await (account, owner, amount) in try await client.query(
            "SELECT token_account, owner, amount::text FROM flutterbye.flby_balances", logger: logger
        ).decode((String, String?, String).self) {
            views.balances.insert(line([account, owner, amount]))
        }
        for try await (minted, burned, supply) in try await client.query(
            "SELECT minted::text, burned::text, supply::text FROM flutterbye.flby_supply", logger: logger
        ).decode((String, String, String).self) {
            views.supply = line([minted, burned, supply])
        }
        for try await row in try await client.query(
            "SELECT wallet, signature, lamports_delta, flby_delta::text, fee::text, err IS NOT NULL, memo FROM flutterbye.wallet_activity",
            logger: logger
        ).decode((String, String, Int64, String, String, Bool, String?).self) {
            views.walletActivity.insert(line([row.0, row.1, String(row.2), row.3, row.4, String(row.5), row.6]))
        }
        return views
    }

    /// Each view's missing and extra lines against `expected` (at most `limit` of each), empty when equal.
    func differences(from expected: IndexedViews, limit: Int = 8) -> [String] {
        func compare(_ name: String, _ actual: [String], _ wanted: [String]) -> [String] {
            var remaining = actual
            var missing: [String] = []
            for line in wanted {
                if let index = remaining.firstIndex(of: line) { remaining.remove(at: index) } else { missing.append(line) }
            }
            var result: [String] = []
            if !missing.isEmpty { result.append("\(name): \(missing.count) missing, e.g. \(missing.prefix(limit).joined(separator: " ; "))") }
            if !remaining.isEmpty { result.append("\(name): \(remaining.count) extra, e.g. \(remaining.prefix(limit).joined(separator: " ; "))") }
            return result
        }
        return compare("indexed_transactions", transactions.sorted(), expected.transactions.sorted())
            + compare("flby_movements", movements, expected.movements)
            + compare("flby_balances", balances.sorted(), expected.balances.sorted())
            + compare("flby_supply", [supply], [expected.supply])
            + compare("wallet_activity", walletActivity.sorted(), expected.walletActivity.sorted())
    }
}
