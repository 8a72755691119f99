public import SolanaCore

/// What an FLBY movement did to the supply (`flby_movements.kind`).
public enum MovementKind: String, Sendable, Hashable {
    case mint
    case burn
    /// What the destination received; a Token-2022 transfer fee withheld from it is a `feeWithheld` beside it.
    case transfer
    /// A Token-2022 transfer fee: paid by the source, withheld in the destination account outside its amount. Part of
    /// the supply, in no account's balance until withdrawn.
    case feeWithheld = "fee_withheld"
    /// Withheld transfer fees withdrawn (from the mint or from token accounts) into the destination account.
    case feeWithdrawn = "fee_withdrawn"
}

/// One instruction-level movement of FLBY (a row of `flby_movements`). A mint and a fee withdrawal have no source, a
/// burn no destination.
public struct FlbyMovement: Sendable, Hashable {
    /// The top-level instruction it happened in; `balanceDerived` for a movement only the token balances show.
    public var instructionIndex: Int
    /// Its position among the instructions that top-level instruction invoked; nil for the top-level one itself.
    public var innerIndex: Int?
    public var kind: MovementKind
    public var sourceAccount: PublicKey?
    public var sourceOwner: PublicKey?
    public var destinationAccount: PublicKey?
    public var destinationOwner: PublicKey?
    /// Base units.
    public var amount: UInt64

    public init(
        instructionIndex: Int, innerIndex: Int?, kind: MovementKind, sourceAccount: PublicKey?, sourceOwner: PublicKey?,
        destinationAccount: PublicKey?, destinationOwner: PublicKey?, amount: UInt64
    ) {
        self.instructionIndex = instructionIndex
        self.innerIndex = innerIndex
        self.kind = kind
        self.sourceAccount = sourceAccount
        self.sourceOwner = sourceOwner
        self.destinationAccount = destinationAccount
        self.destinationOwner = destinationOwner
        self.amount = amount
    }

    /// `instructionIndex` of a movement that no decoded instruction explains but the token balances show (a token
    /// program instruction this indexer does not decode): it keeps balances and supply equal to the chain's.
    public static let balanceDerived = -1
}
