import Foundation
import SolanaCore

/// How settled a piece of chain state must be.
public enum Commitment: String, Sendable, Hashable, Codable, Comparable {
    case processed, confirmed, finalized

    public static func < (lhs: Commitment, rhs: Commitment) -> Bool {
        let order: [Commitment] = [.processed, .confirmed, .finalized]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}
