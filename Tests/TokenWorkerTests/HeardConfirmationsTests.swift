import SolanaCore
import SolanaRPC
import Testing

@testable import TokenWorker

/// Confirmations heard between two takes become one event: only the first asks for it, the take has them all.
@Suite struct HeardConfirmationsTests {
    func signature(_ byte: UInt8) throws -> Signature {
        try Keypair(seed: [UInt8](repeating: byte, count: 32)).sign([byte])
    }

    @Test func theFirstOfABurstRingsAndTheTakeHasTheWholeBurst() throws {
        let heard = HeardConfirmations()
        let status = SignatureStatus(slot: 9, error: nil, confirmationStatus: .confirmed)
        let (a, b, c) = (try signature(1), try signature(2), try signature(3))
        #expect(heard.add(a, status))
        #expect(!heard.add(b, status))
        #expect(!heard.add(a, status), "a repeated notification is one confirmation")
        #expect(Set(heard.take().keys) == [a, b])
        #expect(heard.take().isEmpty)
        #expect(heard.add(c, status), "the first after a take rings again")
        #expect(heard.take() == [c: status])
    }
}
