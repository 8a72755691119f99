public import NIOCore

/// The client a per-address rate limit counts: an IPv4 address; an IPv6 client by its /64 network (which one host
/// usually has whole, so that it cannot step around the limit by changing addresses); the IPv4 address inside an
/// IPv4-mapped IPv6 one; every client of a Unix socket, or of no known address, as one.
public struct ClientAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4), 8 (an IPv6 /64) or none.
    public let bytes: [UInt8]

    public init(_ address: SocketAddress?) {
        guard let address, [.inet, .inet6].contains(address.protocol) else {
            bytes = []
            return
        }
        // The address's bytes inside its sockaddr: after family and port (sockaddr_in), and after the flow label too
        // (sockaddr_in6).
        let raw = address.withSockAddr { pointer, length in Array(UnsafeRawBufferPointer(start: pointer, count: length)) }
        if address.protocol == .inet {
            bytes = raw.count >= 8 ? Array(raw[4..<8]) : []
            return
        }
        guard raw.count >= 24 else {
            bytes = []
            return
        }
        let all = Array(raw[8..<24])
        let mapped = all.prefix(10).allSatisfy { $0 == 0 } && all[10] == 0xFF && all[11] == 0xFF
        bytes = mapped ? Array(all.suffix(4)) : Array(all.prefix(8))
    }

    public var description: String {
        switch bytes.count {
        case 4: return bytes.map(String.init).joined(separator: ".")
        case 8:
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        default: return "local"
        }
    }
}
