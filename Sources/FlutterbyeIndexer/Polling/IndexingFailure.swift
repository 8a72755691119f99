import SolanaCore
import SolanaRPC

/// Why indexing an address's new history stopped early.
enum IndexingFailure: Error, CustomStringConvertible {
    case rpc(RPCError)
    case delivery(any Error)

    /// The refusal of a listing for `address` that lists `signature`, a transaction that does not name it.
    static func foreignListing(_ address: PublicKey, _ signature: Signature) -> IndexingFailure {
        .rpc(
            RPCError(
                .invalidResponse,
                "getSignaturesForAddress for \(address) listed \(signature), a transaction that does not name that address: the "
                    + "endpoint answered another address's history. The address's cursor does not move to it; the poll is tried again "
                    + "later. If this persists, take that endpoint out of SOLANA_RPC_URL"))
    }

    var description: String {
        switch self {
        case .rpc(let error): "RPC: \(error.message)"
        case .delivery(let error): "storing: \(error)"
        }
    }
}
