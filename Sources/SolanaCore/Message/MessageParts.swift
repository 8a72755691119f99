/// The three counts at the start of a message that say which of its static account keys sign and which are
/// read-only: signers come first, and within each group the read-only keys come last.
public struct MessageHeader: Sendable, Hashable {
    /// How many leading account keys must sign.
    public var numRequiredSignatures: UInt8
    /// How many of the signers (at the end of the signer group) are read-only.
    public var numReadonlySignedAccounts: UInt8
    /// How many of the non-signers (at the end of the static keys) are read-only.
    public var numReadonlyUnsignedAccounts: UInt8

    public init(numRequiredSignatures: UInt8, numReadonlySignedAccounts: UInt8, numReadonlyUnsignedAccounts: UInt8) {
        self.numRequiredSignatures = numRequiredSignatures
        self.numReadonlySignedAccounts = numReadonlySignedAccounts
        self.numReadonlyUnsignedAccounts = numReadonlyUnsignedAccounts
    }
}

/// An instruction inside a message: the program and accounts as indexes into the message's account list.
public struct CompiledInstruction: Sendable, Hashable {
    /// Index of the program id in the message's accounts.
    public var programIDIndex: UInt8
    /// Indexes of the instruction's accounts, in the program's order.
    public var accounts: [UInt8]
    /// The program-specific payload.
    public var data: [UInt8]

    public init(programIDIndex: UInt8, accounts: [UInt8], data: [UInt8]) {
        self.programIDIndex = programIDIndex
        self.accounts = accounts
        self.data = data
    }

    func serialize(into writer: inout WireWriter) {
        writer.write(programIDIndex)
        writer.writeCompactU16(accounts.count)
        writer.write(accounts)
        writer.writeCompactU16(data.count)
        writer.write(data)
    }

    static func deserialize(from reader: inout WireReader) throws(SolanaCoreError) -> CompiledInstruction {
        let program = try reader.readByte()
        let accountCount = try reader.readCompactU16()
        let accounts = try reader.readBytes(accountCount)
        let dataCount = try reader.readCompactU16()
        let data = try reader.readBytes(dataCount)
        return CompiledInstruction(programIDIndex: program, accounts: accounts, data: data)
    }
}

/// An address lookup table's on-chain contents, as a v0 message compiler needs them: its address and the
/// addresses it stores.
public struct AddressLookupTableAccount: Sendable, Hashable {
    /// The lookup table account's address.
    public var key: PublicKey
    /// The addresses stored in the table, by index.
    public var addresses: [PublicKey]

    public init(key: PublicKey, addresses: [PublicKey]) {
        self.key = key
        self.addresses = addresses
    }
}

/// A v0 message's reference into one address lookup table: which of its entries load as writable and which
/// as read-only accounts.
public struct MessageAddressTableLookup: Sendable, Hashable {
    /// The lookup table account's address.
    public var accountKey: PublicKey
    /// Table indexes loaded as writable accounts.
    public var writableIndexes: [UInt8]
    /// Table indexes loaded as read-only accounts.
    public var readonlyIndexes: [UInt8]

    public init(accountKey: PublicKey, writableIndexes: [UInt8], readonlyIndexes: [UInt8]) {
        self.accountKey = accountKey
        self.writableIndexes = writableIndexes
        self.readonlyIndexes = readonlyIndexes
    }
}
