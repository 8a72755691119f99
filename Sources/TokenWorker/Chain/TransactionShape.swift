public import SolanaCore

/// The features of a token-creation transaction that decide the compute units it uses: the token program, Metaplex
/// metadata on or off, and the metadata's and the memo's sizes rounded up to their bucket. Transactions of one shape
/// share one calibration: the units a simulation of the shape's largest transaction used.
public struct TransactionShape: Sendable, Hashable, CustomStringConvertible {
    public var program: TokenProgram
    public var metaplexMetadata: Bool
    /// Name + symbol + uri bytes, rounded up to a multiple of `metadataBucket` (at most 242, the largest a job has).
    public var metadataBytes: Int
    /// Memo bytes, rounded up to a multiple of `memoBucket` (0: no memo).
    public var memoBytes: Int

    public static let metadataBucket = 64
    public static let memoBucket = 128
    static let maximumMetadataBytes = 32 + 10 + 200

    /// The shape of `plan`'s transaction.
    public init(_ plan: TokenCreationPlan, metaplexMetadata: Bool) {
        program = plan.program
        self.metaplexMetadata = metaplexMetadata
        let metadata = plan.name.utf8.count + plan.symbol.utf8.count + plan.uri.utf8.count
        metadataBytes = min(Self.roundUp(metadata, Self.metadataBucket), Self.maximumMetadataBytes)
        let memo = plan.memo.map { $0.utf8.count } ?? 0
        memoBytes = Self.roundUp(memo, Self.memoBucket)
    }

    /// `plan` grown to the top of its shape (the uri, then the name, then the symbol padded with "x"; the memo
    /// padded), so that its simulation's units bound every transaction of the shape.
    public func largest(of plan: TokenCreationPlan) -> TokenCreationPlan {
        var grown = plan
        var missing = metadataBytes - (plan.name.utf8.count + plan.symbol.utf8.count + plan.uri.utf8.count)
        func pad(_ text: inout String, limit: Int) {
            let room = max(0, min(missing, limit - text.utf8.count))
            text += String(repeating: "x", count: room)
            missing -= room
        }
        pad(&grown.uri, limit: 200)
        pad(&grown.name, limit: 32)
        pad(&grown.symbol, limit: 10)
        if let memo = plan.memo, memoBytes > 0 {
            grown.memo = memo + String(repeating: "x", count: max(0, min(memoBytes, 500) - memo.utf8.count))
        }
        return grown
    }

    public var description: String {
        "\(program == .token2022 ? "token-2022" : "token")\(metaplexMetadata ? "+metaplex" : ""), metadata ≤\(metadataBytes) B, memo ≤\(memoBytes) B"
    }

    static func roundUp(_ value: Int, _ bucket: Int) -> Int {
        value <= 0 ? 0 : ((value + bucket - 1) / bucket) * bucket
    }
}
