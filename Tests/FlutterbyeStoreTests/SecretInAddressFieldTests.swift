import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import Testing

/// A secret key put where an address belongs (the recipient, an authority), as base58 or as a keypair file's JSON
/// array, is refused without being shown: by the queue and by `enqueue_token_job` alike (whose message PostgreSQL also
/// writes to its log), and by the key parser behind the command line's address options. The recipient may not be the
/// all-zero address either: nobody can sign for the tokens sent there.
extension TokenJobQueueTests {
    static let secretKey = try! Keypair(seed: [UInt8](repeating: 77, count: 32)).exportSecretKey()

    @Test func aSecretKeyInAnAddressFieldIsRefusedWithoutBeingShown() async throws {
        let forms = [Base58.encode(Self.secretKey), "[" + Self.secretKey.map(String.init).joined(separator: ",") + "]"]
        try await withQueue { queue, client in
            var index = 0
            for secret in forms {
                let changes: [(String, (inout TokenJobRequest) -> Void)] = [
                    ("recipient", { $0.recipient = secret }), ("mint_authority", { $0.mintAuthority = secret }),
                    ("freeze_authority", { $0.freezeAuthority = secret }), ("metadata_update_authority", { $0.metadataUpdateAuthority = secret }),
                ]
                for (field, change) in changes {
                    var request = Self.request("secret-\(index)")
                    index += 1
                    change(&request)
                    let refusal = try await Self.functionRefusal(request, on: client)
                    #expect(refusal?.hasPrefix("invalid \(field): ") == true, "\(refusal ?? "accepted")")
                    #expect(refusal?.contains("looks like a secret key (not shown)") == true, "\(refusal ?? "accepted")")
                    for text in [refusal ?? ""] {
                        #expect(!text.contains(String(secret.prefix(24))) && !text.contains(String(secret.suffix(24))), "\(text)")
                    }
                    _ = try await Self.expectEnqueueAgreesWithTheFunction(request, accepted: false, queue: queue, client: client)
                }
            }
            var zero = Self.request("zero-recipient")
            zero.recipient = "11111111111111111111111111111111"
            let refusal = try await Self.functionRefusal(zero, on: client)
            #expect(
                refusal?.hasPrefix("invalid recipient: 11111111111111111111111111111111 is the all-zero address") == true,
                "\(refusal ?? "accepted")")
            _ = try await Self.expectEnqueueAgreesWithTheFunction(zero, accepted: false, queue: queue, client: client)
        }
        // The key parser behind --wallet, --recipient and the other address options.
        let base58 = forms[0]
        let parsed = #expect(throws: SolanaCoreError.self) { try PublicKey(base58: base58) }
        let shown = parsed.map { "\($0)" } ?? ""
        #expect(!shown.isEmpty && !shown.contains(String(base58.prefix(24))) && !shown.contains(String(base58.suffix(24))), "\(shown)")
    }
}
