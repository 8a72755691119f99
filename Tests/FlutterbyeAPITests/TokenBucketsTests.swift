import FlutterbyeAPI
import NIOCore
import Testing

/// Token buckets by key, and the key of a client address, without I/O.
struct TokenBucketsTests {
    let start = ContinuousClock.now

    @Test func eachKeyHasItsOwnBucket() {
        var buckets = TokenBuckets<String>(capacity: 2, perSecond: 1)
        #expect(buckets.take("a", now: start) == nil)
        #expect(buckets.take("a", now: start) == nil)
        #expect(buckets.take("a", now: start) == .seconds(1))
        #expect(buckets.take("b", now: start) == nil, "another key is not held to a's bucket")
        #expect(buckets.take("a", now: start + .seconds(1)) == nil)
    }

    @Test func pastMaxKeysRefilledBucketsAreForgottenThenTheFullest() {
        var buckets = TokenBuckets<Int>(capacity: 3, perSecond: 1, maxKeys: 3)
        for key in 0..<3 { #expect(buckets.take(key, now: start) == nil) }
        #expect(buckets.take(0, now: start) == nil)
        #expect(buckets.take(0, now: start) == nil)
        // All three are in use at once (none refilled): the fullest (1 or 2, two tokens left) goes, 0 stays empty.
        #expect(buckets.take(3, now: start) == nil)
        #expect(buckets.count == 3)
        #expect(buckets.take(0, now: start) != nil, "a key's spent bucket is kept: it cannot refill by crowding")
        // Ten seconds on, every bucket has refilled: a new key makes them all go.
        #expect(buckets.take(4, now: start + .seconds(10)) == nil)
        #expect(buckets.count == 1)
    }

    @Test func aClientAddressIsItsIPv4AddressOrItsIPv6Network() throws {
        let v4 = ClientAddress(try SocketAddress(ipAddress: "203.0.113.7", port: 5000))
        #expect(v4 == ClientAddress(try SocketAddress(ipAddress: "203.0.113.7", port: 6000)), "the port does not count")
        #expect(v4 != ClientAddress(try SocketAddress(ipAddress: "203.0.113.8", port: 5000)))
        #expect(v4.description == "203.0.113.7")
        let host = ClientAddress(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1))
        #expect(host == ClientAddress(try SocketAddress(ipAddress: "2001:db8:1:2:ffff:eeee:dddd:cccc", port: 2)), "one /64")
        #expect(host != ClientAddress(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)))
        #expect(host.description == "2001:db8:1:2::/64")
        #expect(ClientAddress(try SocketAddress(ipAddress: "::ffff:203.0.113.7", port: 1)) == v4, "IPv4-mapped is the IPv4 address")
        #expect(ClientAddress(nil) == ClientAddress(try SocketAddress(unixDomainSocketPath: "/tmp/api.sock")))
        #expect(ClientAddress(nil).description == "local")
    }
}
