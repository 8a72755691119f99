public import Foundation
public import SolanaCore

/// Why the indexer follows an address's history (`index_cursors.role`): one of the configured addresses, or a token
/// account it discovered (an FLBY account, or a token account of a watched wallet).
public enum AddressRole: String, Sendable, Hashable, CaseIterable {
    case mint
    case escrow
    case fee
    case program
    case flbyAccount = "flby_account"
    case escrowTokenAccount = "escrow_token_account"
    case feeTokenAccount = "fee_token_account"

    /// The role of a token account owned by the wallet `wallet`.
    public init(tokenAccountOf wallet: WalletRole) {
        self = wallet == .escrow ? .escrowTokenAccount : .feeTokenAccount
    }

    /// Whether the address was configured (polled at the busy rate always) rather than discovered.
    public var isConfigured: Bool {
        switch self {
        case .mint, .escrow, .fee, .program: true
        case .flbyAccount, .escrowTokenAccount, .feeTokenAccount: false
        }
    }
}

/// An address the indexer follows and how far its history is indexed (nil: nothing yet); for a token account, when
/// its history last had something new and whether it is closed (the slot its history was read to; not polled until
/// it is seen again).
public struct AddressCursor: Sendable, Hashable {
    public var address: PublicKey
    public var role: AddressRole
    public var cursor: SignatureCursor?
    public var lastActivity: Date?
    public var closedSlot: UInt64?

    public init(address: PublicKey, role: AddressRole, cursor: SignatureCursor? = nil, lastActivity: Date? = nil, closedSlot: UInt64? = nil) {
        self.address = address
        self.role = role
        self.cursor = cursor
        self.lastActivity = lastActivity
        self.closedSlot = closedSlot
    }
}

/// Moves an address's cursor to `newest`, the newest signature of a batch, once the batch is stored; `signatures`
/// is how many of the address's signatures the batch covered.
public struct CursorAdvance: Sendable, Hashable {
    public var address: PublicKey
    public var role: AddressRole
    public var newest: SignatureCursor
    public var signatures: Int

    public init(address: PublicKey, role: AddressRole, newest: SignatureCursor, signatures: Int) {
        self.address = address
        self.role = role
        self.newest = newest
        self.signatures = signatures
    }
}
