public import FlutterbyeStore
import PostgresNIO
public import SolanaCore

/// What the backfill of a configured address reads and writes (`ConfiguredBackfill`): which configured wallets and
/// program still need their rows in transactions stored before they were configured in their role, and which stored
/// transactions moved a wallet's FLBY.
extension IndexStore {
    /// The configured wallets and program (none retired) whose rows in the transactions stored before they were
    /// configured in their role are not known to be written: set or changed in the configuration since, or indexed by
    /// a version before schema 26.
    public func unbackfilled() async throws(StoreError) -> [AddressCursor] {
        let roles = [AddressRole.escrow, .fee, .program].map(\.rawValue)
        let rows = try await run(
            """
            SELECT address, role FROM flutterbye.chain_address_cursors
            WHERE role = ANY(\(roles)::text[]) AND retired_at IS NULL AND backfilled_at IS NULL
            ORDER BY address
            """, "reading the configured addresses to backfill")
        var addresses: [AddressCursor] = []
        for row in rows {
            guard let (address, role) = try? row.decode((String, String).self), let key = try? PublicKey(base58: address),
                let role = AddressRole(rawValue: role)
            else { continue }
            addresses.append(AddressCursor(address: key, role: role))
        }
        return addresses
    }

    /// The stored transactions (none dropped) that changed the FLBY balance of a token account `owner` owned then.
    public func signatures(changingFLBYOwnedBy owner: PublicKey) async throws(StoreError) -> [Signature] {
        let rows = try await run(
            """
            SELECT DISTINCT c.signature FROM flutterbye.chain_flby_balance_changes c
            JOIN flutterbye.chain_transactions t ON t.signature = c.signature
            WHERE c.owner = \(owner.base58) AND NOT t.dropped
            """, "reading the stored transactions that moved a wallet's FLBY")
        return rows.compactMap { row in (try? row.decode(String.self)).flatMap { try? Signature(base58: $0) } }
    }

    /// Whether the index stores any transaction at all.
    public func storesAnyTransaction() async throws(StoreError) -> Bool {
        let rows = try await run("SELECT EXISTS (SELECT 1 FROM flutterbye.chain_transactions)", "looking for a stored transaction")
        return (try? rows.first?.decode(Bool.self)) ?? true
    }

    /// Records that `address`'s rows in every transaction stored so far are written.
    public func markBackfilled(_ address: PublicKey) async throws(StoreError) {
        _ = try await run(
            "UPDATE flutterbye.chain_address_cursors SET backfilled_at = now() WHERE address = \(address.base58)",
            "recording a configured address's backfill")
    }
}
