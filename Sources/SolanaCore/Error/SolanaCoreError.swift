/// The error every throwing API of `SolanaCore` raises: a `code` that says what went wrong and a
/// message that says what to do about it. Messages never contain secret key material.
public struct SolanaCoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; stable, so callers can switch on it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable {
            case invalidBase58Character
            case invalidLength
            case invalidSecretKey
            case secretKeyMismatch
            case invalidKeypairFile
            case invalidSeeds
            case onCurve
            case noViableBump
            case malformedMessage
            case malformedTransaction
            case transactionTooLarge
            case missingSigner
            case unexpectedSigner
            case tooManyAccounts
            case invalidInstruction
            case invalidArgument
            case invalidIDL
        }
        let base: Base
        private init(_ base: Base) { self.base = base }

        /// A character outside the Bitcoin base58 alphabet.
        public static let invalidBase58Character = Code(.invalidBase58Character)
        /// Decoded bytes of the wrong length for the type (public key, signature, seed...).
        public static let invalidLength = Code(.invalidLength)
        /// The secret key is not valid Ed25519 key material.
        public static let invalidSecretKey = Code(.invalidSecretKey)
        /// A 64-byte secret whose public half does not match its private half.
        public static let secretKeyMismatch = Code(.secretKeyMismatch)
        /// A keypair file (Solana CLI JSON) that cannot be parsed.
        public static let invalidKeypairFile = Code(.invalidKeypairFile)
        /// Program-derived-address seeds are too many or too long.
        public static let invalidSeeds = Code(.invalidSeeds)
        /// A derived address lies on the Ed25519 curve, so it is not a valid program address.
        public static let onCurve = Code(.onCurve)
        /// No bump seed in 255...0 gives an off-curve address.
        public static let noViableBump = Code(.noViableBump)
        /// Message bytes that do not parse.
        public static let malformedMessage = Code(.malformedMessage)
        /// Transaction bytes that do not parse.
        public static let malformedTransaction = Code(.malformedTransaction)
        /// A serialized transaction over the 1232-byte packet limit.
        public static let transactionTooLarge = Code(.transactionTooLarge)
        /// A signer the message requires was not supplied.
        public static let missingSigner = Code(.missingSigner)
        /// A keypair was supplied that the message does not require.
        public static let unexpectedSigner = Code(.unexpectedSigner)
        /// More accounts than a message can index (256).
        public static let tooManyAccounts = Code(.tooManyAccounts)
        /// Instruction data that does not decode for its program.
        public static let invalidInstruction = Code(.invalidInstruction)
        /// An argument outside its allowed range (too long a string, a bad decimals value...).
        public static let invalidArgument = Code(.invalidArgument)
        /// An Anchor IDL document that cannot be read (not JSON, or events and types of an unknown shape).
        public static let invalidIDL = Code(.invalidIDL)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// A human-readable explanation that tells the caller what to do.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
