public import SolanaCore

/// The addresses the indexer follows: the FLBY mint, the escrow and fee wallets, and optionally the Flutterbye
/// program whose log lines are kept.
public struct WatchedAddresses: Sendable, Hashable {
    public var flbyMint: PublicKey
    public var escrowWallet: PublicKey?
    public var feeWallet: PublicKey?
    public var programID: PublicKey?

    public init(flbyMint: PublicKey, escrowWallet: PublicKey? = nil, feeWallet: PublicKey? = nil, programID: PublicKey? = nil) {
        self.flbyMint = flbyMint
        self.escrowWallet = escrowWallet
        self.feeWallet = feeWallet
        self.programID = programID
    }

    /// The watched wallets with their role.
    public var wallets: [(role: WalletRole, address: PublicKey)] {
        var wallets: [(WalletRole, PublicKey)] = []
        if let escrowWallet { wallets.append((.escrow, escrowWallet)) }
        if let feeWallet { wallets.append((.fee, feeWallet)) }
        return wallets
    }
}

/// Which watched wallet an activity row is about (`wallet_activity.wallet`).
public enum WalletRole: String, Sendable, Hashable, CaseIterable {
    case escrow
    case fee
}
