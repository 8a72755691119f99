import Foundation
import SolanaCore
import Testing

@testable import SolanaRPC

/// The subscription book's decisions, without a connection: what is asked for when, what a message means.
struct SubscriptionBookTests {
    let address: PublicKey = "FLBYa1hbtiZ9rhzPdsK5ZxwvLTnrC6XUVmfKBHjRH5Xj"
    let other: PublicKey = "EscrwqVZTHgeyGoCVqtHhnRZrbx3HgAxGcBM3SpLMUN4"
    let signature = try! Signature(bytes: [UInt8](repeating: 7, count: 64))

    func answer(_ id: Int, _ subscription: Int) -> [UInt8] { Array(#"{"jsonrpc":"2.0","result":\#(subscription),"id":\#(id)}"#.utf8) }

    func logs(_ subscription: Int, slot: Int = 9, err: String = "null") -> [UInt8] {
        Array(
            #"{"jsonrpc":"2.0","method":"logsNotification","params":{"result":{"context":{"slot":\#(slot)},"value":{"signature":"\#(signature.base58)","err":\#(err),"logs":[]}},"subscription":\#(subscription)}}"#
                .utf8)
    }

    func signatureNotice(_ subscription: Int) -> [UInt8] {
        Array(
            #"{"jsonrpc":"2.0","method":"signatureNotification","params":{"result":{"context":{"slot":12},"value":{"err":{"InstructionError":[0,"Custom"]}}},"subscription":\#(subscription)}}"#
                .utf8)
    }

    @Test func wantedSubscriptionsAreAskedForOnEachConnection() throws {
        var book = SubscriptionBook(commitment: .confirmed)
        #expect(book.want([.mentions(address)]).isEmpty, "nothing is sent while disconnected")
        let first = book.connected()
        #expect(first.count == 1)
        let request = try #require(first.first)
        #expect(
            request.text.contains(#""method":"logsSubscribe""#) && request.text.contains(address.base58)
                && request.text.contains(#""commitment":"confirmed""#))
        #expect(book.received(answer(request.id, 41)).notification == nil)
        #expect(book.confirmed == [.mentions(address)])

        let notified = book.received(logs(41, err: #"{"InstructionError":[0,"Custom"]}"#)).notification
        #expect(notified == .mentioned(address, signature: signature, slot: 9, failed: true))
        #expect(book.received(logs(99)).notification == nil, "an unknown subscription id is nobody's")

        book.disconnected()
        #expect(book.confirmed.isEmpty)
        #expect(book.received(logs(41)).notification == nil, "an old connection's id means nothing")
        let again = book.connected()
        #expect(again.count == 1 && again.first?.id != request.id)
    }

    @Test func aSignatureSubscriptionEndsWithItsNotification() throws {
        var book = SubscriptionBook()
        _ = book.connected()
        let request = try #require(book.want([.signature(signature)]).first)
        #expect(request.text.contains(#""method":"signatureSubscribe""#))
        _ = book.received(answer(request.id, 5))
        let notified = book.received(signatureNotice(5)).notification
        #expect(notified == .signature(signature, slot: 12, error: .object(["InstructionError": .array([.int(0), .string("Custom")])])))
        #expect(book.confirmed.isEmpty && !book.wanted.contains(.signature(signature)))
        #expect(book.received(signatureNotice(5)).notification == nil, "only once")
        #expect(book.connected().isEmpty, "not asked for again")
    }

    @Test func aSubscriptionDroppedBeforeItsAnswerIsUnsubscribedWhenItComes() throws {
        var book = SubscriptionBook()
        _ = book.connected()
        let request = try #require(book.want([.mentions(address)]).first)
        #expect(book.drop([.mentions(address)]).isEmpty)
        let follow = book.received(answer(request.id, 8)).requests
        #expect(follow.count == 1 && follow.first?.text.contains(#""method":"logsUnsubscribe","params":[8]"#) == true)
        #expect(book.confirmed.isEmpty)

        let kept = try #require(book.want([.mentions(other)]).first)
        _ = book.received(answer(kept.id, 9))
        let unsubscribe = book.drop([.mentions(other)])
        #expect(unsubscribe.first?.text.contains(#""params":[9]"#) == true && book.confirmed.isEmpty)
    }

    @Test func aRefusedSubscriptionStaysWantedForTheNextConnection() throws {
        var book = SubscriptionBook()
        _ = book.connected()
        let request = try #require(book.want([.mentions(address)]).first)
        _ = book.received(Array(#"{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params"},"id":\#(request.id)}"#.utf8))
        #expect(book.confirmed.isEmpty)
        book.disconnected()
        #expect(book.connected().count == 1)
    }

    @Test(arguments: [
        "", "not json", "[]", "null", #"{"id":"1","result":5}"#, #"{"id":-1,"result":5}"#, #"{"id":1e300,"result":5}"#,
        #"{"method":"logsNotification"}"#, #"{"method":"logsNotification","params":{"subscription":"x"}}"#,
        #"{"method":"logsNotification","params":{"subscription":1,"result":{"context":{"slot":-4},"value":{}}}}"#,
        #"{"method":"logsNotification","params":{"subscription":1,"result":{"context":{"slot":4},"value":{"signature":"0OIl"}}}}"#,
        #"{"method":"slotNotification","params":{"subscription":1,"result":{"context":{"slot":4},"value":{}}}}"#,
    ])
    func hostileMessagesMeanNothing(text: String) {
        var book = SubscriptionBook()
        _ = book.connected()
        _ = book.want([.mentions(address)])
        _ = book.received(answer(1, 1))
        let (notification, requests) = book.received(Array(text.utf8))
        #expect(notification == nil && requests.isEmpty)
    }

    @Test func theWebSocketEndpointIsDerivedFromTheRPCURL() {
        func derived(_ text: String) -> String? { PubSubEndpoint(derivedFrom: RPCEndpoint(url: text))?.url.absoluteString }
        #expect(derived("http://127.0.0.1:8899") == "ws://127.0.0.1:8900")
        #expect(derived("https://mainnet.example.com/?api-key=k") == "wss://mainnet.example.com/?api-key=k")
        #expect(derived("https://rpc.example.com/v2/KEY") == "wss://rpc.example.com/v2/KEY")
        #expect(derived("ftp://x") == nil)
        let secret = PubSubEndpoint(url: "wss://user:pw@host.example:443/v2/KEY?api-key=k")
        #expect(secret?.description == "wss://host.example:443" && "\(String(reflecting: secret))".contains("KEY") == false)
        #expect(PubSubEndpoint(url: "WS://[::1]:8900/KEY")?.description == "ws://[::1]:8900", "shown as an RPC endpoint is")
        #expect(PubSubEndpoint(url: "http://x") == nil && PubSubEndpoint(url: "ws://") == nil)
    }
}
