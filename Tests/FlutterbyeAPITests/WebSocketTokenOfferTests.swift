import Testing

@testable import FlutterbyeAPI

/// The API token a browser offers in `Sec-WebSocket-Protocol` (it cannot set `Authorization` on a WebSocket), read
/// without I/O.
struct WebSocketTokenOfferTests {
    let token = "a-token:with/chars+that=are*not~tokens é"

    @Test func theTokenComesBackFromItsBase64URLSubprotocolBesideTheStreamProtocol() {
        let encoded = WebSocketTokenOffer.base64URLEncoded(Array(token.utf8))
        #expect(encoded.utf8.allSatisfy { $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") })
        let offer = WebSocketTokenOffer(headerValues: ["flutterbye.v1, flutterbye.bearer.\(encoded)"])
        #expect(offer.token == Array(token.utf8))
        #expect(offer.offersStreamProtocol)
        #expect(offer.problem == nil)
        // Several header lines, other subprotocols and spaces.
        let spread = WebSocketTokenOffer(headerValues: ["chat", " flutterbye.bearer.\(encoded) ", "flutterbye.v1"])
        #expect(spread.token == Array(token.utf8) && spread.offersStreamProtocol)
    }

    @Test func withoutATokenSubprotocolThereIsNoToken() {
        #expect(WebSocketTokenOffer(headerValues: []) == WebSocketTokenOffer(headerValues: ["flutterbye.v1"]).with(streamProtocol: false))
        let offer = WebSocketTokenOffer(headerValues: ["flutterbye.v1", "bearer.abc", "flutterbye.bearer"])
        #expect(offer.token == nil && offer.problem == nil && offer.offersStreamProtocol)
    }

    @Test func aTokenThatIsNotBase64URLOrOfferedTwiceIsAProblemNamedWithoutTheToken() {
        for bad in ["flutterbye.bearer.", "flutterbye.bearer.abc=", "flutterbye.bearer.a+b/", "flutterbye.bearer.abcde", "flutterbye.bearer.é"] {
            let offer = WebSocketTokenOffer(headerValues: [bad])
            #expect(offer.token == nil && offer.problem != nil, "\(bad)")
        }
        let twice = WebSocketTokenOffer(headerValues: ["flutterbye.bearer.YWJj, flutterbye.bearer.ZGVm"])
        #expect(twice.token == nil)
        #expect(twice.problem?.contains("more than one") == true)
        #expect(twice.problem?.contains("YWJj") == false && twice.problem?.contains("ZGVm") == false)
    }

    @Test func base64URLRoundTripsEveryLengthAndRefusesImpossibleLengths() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
            let encoded = WebSocketTokenOffer.base64URLEncoded(bytes)
            #expect(WebSocketTokenOffer.base64URLDecoded(encoded) == bytes, "\(length)")
        }
        #expect(WebSocketTokenOffer.base64URLDecoded("a") == nil)
        // RFC 4648's own vectors, in the URL alphabet: "fo" -> "Zm8", 0xfb 0xff -> "-_8".
        #expect(WebSocketTokenOffer.base64URLDecoded("Zm8") == Array("fo".utf8))
        #expect(WebSocketTokenOffer.base64URLDecoded("-_8") == [0xFB, 0xFF])
    }
}

extension WebSocketTokenOffer {
    fileprivate func with(streamProtocol: Bool) -> WebSocketTokenOffer {
        var copy = self
        copy.offersStreamProtocol = streamProtocol
        return copy
    }
}
