import Algorithms
import Logging
import SolanaCore
import SolanaRPC

/// Writes the rows a configured wallet or the program adds to transactions the index stored before it was configured
/// in its role (an address set, changed or configured again later): those transactions are fetched again and written
/// once more (idempotently: only the missing rows are added). Which ones: the stored transactions of the address's own
/// history (read back to the start slot), and for a wallet those that moved FLBY of a token account it owned.
struct ConfiguredBackfill {
    let store: IndexStore
    let rpc: SolanaRPCClient
    let settings: PollingSettings
    let logger: Logger

    /// Backfills every configured address that needs it (`IndexStore.unbackfilled`), writing the fetched transactions
    /// with `write`; each address is recorded as done once its transactions are written.
    func run(write: ([FetchedTransaction]) async throws -> Void) async throws {
        let pending = try await store.unbackfilled()
        // An index that stores nothing yet (a first start) has nothing to write again: what it stores from now on is
        // written with the addresses configured now.
        let storesNothing = try await pending.isEmpty ? false : !store.storesAnyTransaction()
        for address in pending {
            let signatures = storesNothing ? [] : try await storedSignatures(of: address)
            var written = 0
            for chunk in signatures.chunks(ofCount: settings.transactionsPerRequest) {
                var fetched: [FetchedTransaction] = []
                for (signature, answer) in zip(chunk, try await rpc.transactions(Array(chunk), commitment: .confirmed)) {
                    guard let transaction = try answer.get() else {
                        logger.warning(
                            "a stored transaction of a newly configured address cannot be fetched again; its rows for that address are not written",
                            metadata: ["address": "\(address.address)", "signature": "\(signature)"])
                        continue
                    }
                    fetched.append(transaction)
                }
                try await write(fetched)
                written += fetched.count
            }
            try await store.markBackfilled(address.address)
            logger.info(
                "wrote a newly configured address's rows in the transactions stored before",
                metadata: ["address": "\(address.address)", "role": "\(address.role.rawValue)", "transactions": "\(written)"])
        }
    }

    /// The stored transactions that may lack `address`'s rows, oldest listed last.
    func storedSignatures(of address: AddressCursor) async throws -> [Signature] {
        var signatures: [Signature] = []
        var seen: Set<Signature> = []
        var before: Signature?
        while true {
            let page = try await rpc.signaturesForAddress(address.address, before: before, limit: settings.pageSize)
            let start = settings.startSlot ?? 0
            let inRange = page.filter { $0.slot >= start }
            for signature in try await store.storedSignatures(among: inRange.map(\.signature)) where seen.insert(signature).inserted {
                signatures.append(signature)
            }
            guard let last = page.last, page.count >= settings.pageSize, inRange.count == page.count else { break }
            before = last.signature
        }
        if address.role == .escrow || address.role == .fee {
            for signature in try await store.signatures(changingFLBYOwnedBy: address.address) where seen.insert(signature).inserted {
                signatures.append(signature)
            }
        }
        return signatures
    }
}
