import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// An operator changes a configured address (here the fee wallet): the indexer follows the new one only, and
/// `/v1/index` and the lag gauges show it only. The old address's cursor row stayed a followed "fee" address: polled
/// at the busy rate for nothing (its movements are no one's), shown in the status with a lag, and the lag alert's.
/// Its row is kept, so configured again it resumes where it stood.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs PostgreSQL: run Tests/run"), .serialized)
struct ConfiguredAddressChangeTests {
    static let logger = Logger(label: "ConfiguredAddressChangeTests")
    let mint = try! Keypair(seed: [UInt8](repeating: 41, count: 32)).publicKey
    let oldFee = try! Keypair(seed: [UInt8](repeating: 42, count: 32)).publicKey
    let newFee = try! Keypair(seed: [UInt8](repeating: 43, count: 32)).publicKey
    let tokenAccount = try! Keypair(seed: [UInt8](repeating: 44, count: 32)).publicKey

    func withStore(_ body: (IndexStore) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase(
            "flutterbye_configured_change", truncating: "flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE"
        ) { client, _ in
            try await body(IndexStore(client: client, logger: Self.logger))
        }
    }

    @Test func anAddressNoLongerConfiguredIsNeitherFollowedNorShown() async throws {
        try await withStore { store in
            let signature = try Signature(bytes: [UInt8](repeating: 7, count: 64))
            try await store.followConfigured([AddressCursor(address: mint, role: .mint), AddressCursor(address: oldFee, role: .fee)])
            try await store.follow([AddressCursor(address: tokenAccount, role: .flbyAccount)])
            try await store.write(
                [], advance: CursorAdvance(address: oldFee, role: .fee, newest: SignatureCursor(signature: signature, slot: 70), signatures: 1))

            try await store.followConfigured([AddressCursor(address: mint, role: .mint), AddressCursor(address: newFee, role: .fee)])
            #expect(Set(try await store.cursors().map(\.address)) == [mint, newFee, tokenAccount])
            let status = try await store.status()
            #expect(Set(status.addresses.map(\.address)) == [mint.base58, newFee.base58])
            #expect(status.discoveredAccounts == 1)

            // Configured again, the old address resumes at its cursor.
            try await store.followConfigured([AddressCursor(address: mint, role: .mint), AddressCursor(address: oldFee, role: .fee)])
            let cursors = try await store.cursors()
            #expect(Set(cursors.map(\.address)) == [mint, oldFee, tokenAccount])
            #expect(cursors.first { $0.address == oldFee }?.cursor == SignatureCursor(signature: signature, slot: 70))
            #expect(Set(try await store.status().addresses.map(\.address)) == [mint.base58, oldFee.base58])

            // Configured in another role (the old fee wallet now the escrow), it is shown in that role, still at its
            // cursor: it kept the role it was first followed in.
            try await store.followConfigured([AddressCursor(address: mint, role: .mint), AddressCursor(address: oldFee, role: .escrow)])
            let moved = try await store.cursors().first { $0.address == oldFee }
            #expect(moved?.role == .escrow && moved?.cursor == SignatureCursor(signature: signature, slot: 70), "\(String(describing: moved))")
            #expect(try await store.status().addresses.map(\.role).contains(.escrow))
        }
    }
}
