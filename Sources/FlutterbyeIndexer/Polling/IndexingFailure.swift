import SolanaRPC

/// Why indexing an address's new history stopped early.
enum IndexingFailure: Error, CustomStringConvertible {
    case rpc(RPCError)
    case delivery(any Error)

    var description: String {
        switch self {
        case .rpc(let error): "RPC: \(error.message)"
        case .delivery(let error): "storing: \(error)"
        }
    }
}
