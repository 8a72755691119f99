public import SolanaCore

/// The features of a token-creation transaction that decide the compute units it uses: the token program, Metaplex
/// metadata on or off, the metadata's and the memo's sizes rounded up to their bucket, and the issuer's choices that
/// add instructions (a mint or metadata update authority handed on, additional metadata fields: their number and their
/// bytes rounded up). Transactions of one shape share one calibration: the units a simulation of the shape's largest
/// transaction used.
public struct TransactionShape: Sendable, Hashable, CustomStringConvertible {
    public var program: TokenProgram
    public var metaplexMetadata: Bool
    /// Name + symbol + uri bytes, rounded up to a multiple of `metadataBucket` (at most 242, the largest a job has).
    public var metadataBytes: Int
    /// Memo bytes, rounded up to a multiple of `memoBucket` (0: no memo).
    public var memoBytes: Int
    /// Whether a SetAuthority hands the mint authority on (or revokes it).
    public var setsMintAuthority: Bool
    /// Whether an UpdateAuthority hands the Token-2022 metadata's update authority on.
    public var setsMetadataUpdateAuthority: Bool
    /// The additional metadata fields (one UpdateField each).
    public var additionalFields: Int
    /// Their keys' and values' bytes, rounded up to a multiple of `additionalMetadataBucket`.
    public var additionalBytes: Int

    public static let metadataBucket = 64
    public static let memoBucket = 128
    public static let additionalMetadataBucket = 64
    static let maximumMetadataBytes = 32 + 10 + 200

    /// The shape of `plan`'s transaction.
    public init(_ plan: TokenCreationPlan, metaplexMetadata: Bool) {
        program = plan.program
        self.metaplexMetadata = metaplexMetadata
        let metadata = plan.name.utf8.count + plan.symbol.utf8.count + plan.uri.utf8.count
        metadataBytes = min(Self.roundUp(metadata, Self.metadataBucket), Self.maximumMetadataBytes)
        let memo = plan.memo.map { $0.utf8.count } ?? 0
        memoBytes = Self.roundUp(memo, Self.memoBucket)
        setsMintAuthority = plan.choices.mintAuthority != .service
        setsMetadataUpdateAuthority = plan.program == .token2022 && plan.choices.metadataUpdateAuthority != .service
        additionalFields = plan.program == .token2022 ? plan.choices.additionalMetadata.count : 0
        additionalBytes = additionalFields == 0 ? 0 : Self.roundUp(Self.additionalBytes(of: plan), Self.additionalMetadataBucket)
    }

    static func additionalBytes(of plan: TokenCreationPlan) -> Int {
        plan.choices.additionalMetadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
    }

    /// `plan` grown to the top of its shape (the uri, then the name, then the symbol padded with "x"; the memo and
    /// the last additional metadata value padded), so that its simulation's units bound every transaction of the shape.
    /// Grown no further than Solana's size limit allows for the largest worker configuration (`TokenCreationSize`): a
    /// job the queue accepted fits, and the transaction calibrating its shape must too. The additional metadata's
    /// padding gives way first, then the metadata's (a memo byte costs the memo program more units than a metadata byte
    /// costs the token program); a job that still runs out of units is simulated on its own.
    public func largest(of plan: TokenCreationPlan) -> TokenCreationPlan {
        var missing = metadataBytes - (plan.name.utf8.count + plan.symbol.utf8.count + plan.uri.utf8.count)
        func room(_ text: String, limit: Int) -> Int {
            let room = max(0, min(missing, limit - text.utf8.count))
            missing -= room
            return room
        }
        // In the order the padding gives way at the size limit: additional metadata, symbol, name, uri, memo.
        var padding = [0, 0, 0, 0, 0]
        padding[3] = room(plan.uri, limit: 200)
        padding[2] = room(plan.name, limit: 32)
        padding[1] = room(plan.symbol, limit: 10)
        if let memo = plan.memo, memoBytes > 0 { padding[4] = max(0, min(memoBytes, 500) - memo.utf8.count) }
        if additionalFields > 0 { padding[0] = max(0, additionalBytes - Self.additionalBytes(of: plan)) }
        func grown() -> TokenCreationPlan {
            var grown = plan
            grown.symbol += String(repeating: "x", count: padding[1])
            grown.name += String(repeating: "x", count: padding[2])
            grown.uri += String(repeating: "x", count: padding[3])
            if let memo = plan.memo { grown.memo = memo + String(repeating: "x", count: padding[4]) }
            if let last = grown.choices.additionalMetadata.indices.last {
                grown.choices.additionalMetadata[last].value += String(repeating: "x", count: padding[0])
            }
            return grown
        }
        let full = grown()
        guard
            let size = try? TokenCreationSize.largest(
                program: full.program, name: full.name, symbol: full.symbol, uri: full.uri, memo: full.memo, choices: full.choices),
            size > TokenCreationSize.limit
        else { return full }
        // Each byte left out takes at least a byte off the size (and a length prefix may shrink with it).
        var excess = size - TokenCreationSize.limit
        for index in padding.indices {
            let cut = min(excess, padding[index])
            padding[index] -= cut
            excess -= cut
        }
        return grown()
    }

    public var description: String {
        let choices =
            (setsMintAuthority ? ", sets the mint authority" : "") + (setsMetadataUpdateAuthority ? ", sets the metadata update authority" : "")
            + (additionalFields > 0 ? ", \(additionalFields) additional field(s) ≤\(additionalBytes) B" : "")
        return
            "\(program == .token2022 ? "token-2022" : "token")\(metaplexMetadata ? "+metaplex" : ""), metadata ≤\(metadataBytes) B, memo ≤\(memoBytes) B\(choices)"
    }

    static func roundUp(_ value: Int, _ bucket: Int) -> Int {
        value <= 0 ? 0 : ((value + bucket - 1) / bucket) * bucket
    }
}
