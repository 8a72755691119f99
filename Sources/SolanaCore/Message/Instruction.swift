/// One account an instruction touches, with whether it must sign and whether it may be written.
public struct AccountMeta: Sendable, Hashable, CustomStringConvertible {
    /// The account's address.
    public var publicKey: PublicKey
    /// Whether the transaction must carry this account's signature.
    public var isSigner: Bool
    /// Whether the instruction may change the account.
    public var isWritable: Bool

    public init(_ publicKey: PublicKey, isSigner: Bool, isWritable: Bool) {
        self.publicKey = publicKey
        self.isSigner = isSigner
        self.isWritable = isWritable
    }

    /// A writable account; `signer` says whether it also signs.
    public static func writable(_ key: PublicKey, signer: Bool = false) -> AccountMeta {
        AccountMeta(key, isSigner: signer, isWritable: true)
    }

    /// A read-only account; `signer` says whether it also signs.
    public static func readonly(_ key: PublicKey, signer: Bool = false) -> AccountMeta {
        AccountMeta(key, isSigner: signer, isWritable: false)
    }

    public var description: String {
        "\(publicKey)\(isSigner ? " signer" : "")\(isWritable ? " writable" : " readonly")"
    }
}

/// A call to one program: the program id, the accounts it reads and writes in order, and opaque data.
public struct Instruction: Sendable, Hashable {
    /// The program that executes the instruction.
    public var programID: PublicKey
    /// The accounts in the order the program expects them.
    public var accounts: [AccountMeta]
    /// The program-specific payload.
    public var data: [UInt8]

    public init(programID: PublicKey, accounts: [AccountMeta], data: [UInt8]) {
        self.programID = programID
        self.accounts = accounts
        self.data = data
    }
}
