public import SolanaCore

/// A token account (of any mint) owned by a watched wallet, as a transaction's token balances show it.
public struct WalletTokenAccount: Sendable, Hashable {
    public var role: WalletRole
    public var account: PublicKey

    public init(role: WalletRole, account: PublicKey) {
        self.role = role
        self.account = account
    }
}
