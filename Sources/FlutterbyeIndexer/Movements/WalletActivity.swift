public import SolanaCore

/// A watched wallet's share of one transaction (a row of `wallet_activity`).
public struct WalletActivity: Sendable, Hashable {
    public var role: WalletRole
    public var wallet: PublicKey
    /// The wallet account's lamport change (the fee included when it paid it).
    public var lamportsDelta: Int64
    /// The change of the FLBY the wallet's token accounts hold, in base units.
    public var flbyDelta: Int128
    /// The wallet account's lamports before and after; nil when the transaction touched only its token accounts.
    public var preLamports: UInt64?
    public var postLamports: UInt64?

    public init(
        role: WalletRole, wallet: PublicKey, lamportsDelta: Int64, flbyDelta: Int128, preLamports: UInt64? = nil,
        postLamports: UInt64? = nil
    ) {
        self.role = role
        self.wallet = wallet
        self.lamportsDelta = lamportsDelta
        self.flbyDelta = flbyDelta
        self.preLamports = preLamports
        self.postLamports = postLamports
    }
}
