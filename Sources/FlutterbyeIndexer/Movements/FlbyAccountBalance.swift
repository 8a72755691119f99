public import SolanaCore

/// An FLBY token account as a transaction's token balances show it: the amount after the transaction (0 when the
/// transaction closed it) and before (nil when it was not an FLBY token account yet: the transaction created it).
public struct FlbyAccountBalance: Sendable, Hashable {
    public var account: PublicKey
    public var owner: PublicKey?
    public var amount: UInt64
    public var preAmount: UInt64?

    public init(account: PublicKey, owner: PublicKey?, amount: UInt64, preAmount: UInt64? = nil) {
        self.account = account
        self.owner = owner
        self.amount = amount
        self.preAmount = preAmount
    }
}
