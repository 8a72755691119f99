/// An SPL Token or Token-2022 instruction decoded from its raw data and account keys (the inverse of
/// `TokenProgram`'s, `MetadataPointer`'s and `TokenMetadata`'s builders), for the indexer. The two programs share
/// these layouts. Anything else, or data and accounts too short for their kind, is `.unknown` with a reason —
/// decoding never traps. Trailing bytes after a complete instruction are ignored, as the programs ignore them.
public enum DecodedTokenInstruction: Sendable, Hashable {
    /// InitializeMint (0) or InitializeMint2 (20).
    case initializeMint(mint: PublicKey, decimals: UInt8, mintAuthority: PublicKey, freezeAuthority: PublicKey?)
    /// InitializeAccount (1), InitializeAccount2 (16) or InitializeAccount3 (18).
    case initializeAccount(account: PublicKey, mint: PublicKey, owner: PublicKey)
    /// Transfer (3); `authority` is the source's owner or delegate. The mint is not named.
    case transfer(source: PublicKey, destination: PublicKey, authority: PublicKey, amount: UInt64)
    /// TransferChecked (12).
    case transferChecked(source: PublicKey, mint: PublicKey, destination: PublicKey, authority: PublicKey, amount: UInt64, decimals: UInt8)
    /// MintTo (7).
    case mintTo(mint: PublicKey, destination: PublicKey, authority: PublicKey, amount: UInt64)
    /// MintToChecked (14).
    case mintToChecked(mint: PublicKey, destination: PublicKey, authority: PublicKey, amount: UInt64, decimals: UInt8)
    /// Burn (8); `authority` is the account's owner or delegate.
    case burn(account: PublicKey, mint: PublicKey, authority: PublicKey, amount: UInt64)
    /// BurnChecked (15).
    case burnChecked(account: PublicKey, mint: PublicKey, authority: PublicKey, amount: UInt64, decimals: UInt8)
    /// SetAuthority (6); `newAuthority` nil clears the authority. `authorityType` is the raw tag (see
    /// `TokenProgram.AuthorityType`), kept raw so new kinds still decode.
    case setAuthority(account: PublicKey, currentAuthority: PublicKey, authorityType: UInt8, newAuthority: PublicKey?)
    /// CloseAccount (9): the account's lamports go to `destination`; `owner` is its owner or close authority.
    case closeAccount(account: PublicKey, destination: PublicKey, owner: PublicKey)
    /// Token-2022 TransferFee TransferCheckedWithFee (26, 1): `destination` receives `amount - fee`, and `fee` is
    /// withheld in it (outside its amount) until harvested or withdrawn.
    case transferCheckedWithFee(
        source: PublicKey, mint: PublicKey, destination: PublicKey, authority: PublicKey, amount: UInt64, decimals: UInt8, fee: UInt64)
    /// Token-2022 TransferFee WithdrawWithheldTokensFromMint (26, 2): the fees harvested to the mint go to
    /// `destination`. The amount is not in the instruction; the destination's balance change shows it.
    case withdrawWithheldTokensFromMint(mint: PublicKey, destination: PublicKey, authority: PublicKey)
    /// Token-2022 TransferFee WithdrawWithheldTokensFromAccounts (26, 3): the fees withheld in `sources` go to
    /// `destination` (the amount, as above, only in the balances).
    case withdrawWithheldTokensFromAccounts(mint: PublicKey, destination: PublicKey, authority: PublicKey, sources: [PublicKey])
    /// Token-2022 TransferFee HarvestWithheldTokensToMint (26, 4): the fees withheld in `sources` move to the mint's
    /// own withheld amount; no account's amount changes.
    case harvestWithheldTokensToMint(mint: PublicKey, sources: [PublicKey])
    /// Token-2022 MetadataPointer Initialize (39, 0); all-zero keys (none) decode as nil. This and the two
    /// token-metadata cases are decoded whatever the program id; the classic Token program rejects them on chain.
    case initializeMetadataPointer(mint: PublicKey, authority: PublicKey?, metadataAddress: PublicKey?)
    /// Token metadata interface Initialize (8-byte discriminator, see `TokenMetadata.initializeDiscriminator`).
    case initializeTokenMetadata(
        metadata: PublicKey, updateAuthority: PublicKey, mint: PublicKey, mintAuthority: PublicKey, name: String, symbol: String,
        uri: String)
    /// Token metadata interface UpdateField (see `TokenMetadata.updateFieldDiscriminator`).
    case updateTokenMetadataField(metadata: PublicKey, updateAuthority: PublicKey, field: TokenMetadata.Field, value: String)
    /// Not decoded: an instruction kind this decoder does not model, or data or accounts too short or malformed
    /// for its kind; `tag` is the first data byte when there is one and `reason` says what was wrong.
    case unknown(tag: UInt8?, reason: String)

    /// Decodes `data`; `accounts` are the instruction's account keys in instruction order (multisig signers
    /// after the authority are ignored).
    public static func decode(data: [UInt8], accounts: [PublicKey]) -> DecodedTokenInstruction {
        guard let tagByte = data.first else { return .unknown(tag: nil, reason: "empty instruction data") }
        var reader = WireReader(data, errorCode: .invalidInstruction, what: "token instruction \(tagByte)")
        func needs(_ count: Int, _ name: String) throws(SolanaCoreError) { try Self.needs(count, name, accounts) }
        func optionalKey() throws(SolanaCoreError) -> PublicKey? {
            switch try reader.readByte() {
            case 0: return nil
            case 1: return try reader.readPublicKey()
            case let other: throw SolanaCoreError(.invalidInstruction, "option tag \(other) is neither 0 nor 1")
            }
        }
        do {
            if data.count >= 8, let decoded = try decodeTokenMetadata(data: data, accounts: accounts) { return decoded }
            _ = try reader.readByte()
            if tagByte == Self.transferFeeExtensionTag { return try decodeTransferFee(&reader, accounts: accounts) }
            if tagByte == MetadataPointer.extensionTag {
                let subTag = try reader.readByte()
                guard subTag == 0 else { return .unknown(tag: tagByte, reason: "MetadataPointer instruction \(subTag) is not decoded") }
                try needs(1, "MetadataPointer initialize")
                let authority = try reader.readPublicKey()
                let address = try reader.readPublicKey()
                return .initializeMetadataPointer(
                    mint: accounts[0], authority: authority.nonZero, metadataAddress: address.nonZero)
            }
            guard let tag = TokenProgram.Tag(rawValue: tagByte) else {
                return .unknown(tag: tagByte, reason: "token instruction \(tagByte) is not decoded")
            }
            switch tag {
            case .initializeMint, .initializeMint2:
                try needs(1, "initializeMint")
                let decimals = try reader.readByte()
                let authority = try reader.readPublicKey()
                return .initializeMint(mint: accounts[0], decimals: decimals, mintAuthority: authority, freezeAuthority: try optionalKey())
            case .initializeAccount:
                try needs(3, "initializeAccount")
                return .initializeAccount(account: accounts[0], mint: accounts[1], owner: accounts[2])
            case .initializeAccount2, .initializeAccount3:
                try needs(2, "initializeAccount")
                return .initializeAccount(account: accounts[0], mint: accounts[1], owner: try reader.readPublicKey())
            case .transfer:
                try needs(3, "transfer")
                return .transfer(
                    source: accounts[0], destination: accounts[1], authority: accounts[2], amount: try reader.readLittleEndian(UInt64.self))
            case .transferChecked:
                try needs(4, "transferChecked")
                let amount = try reader.readLittleEndian(UInt64.self)
                return .transferChecked(
                    source: accounts[0], mint: accounts[1], destination: accounts[2], authority: accounts[3], amount: amount,
                    decimals: try reader.readByte())
            case .mintTo:
                try needs(3, "mintTo")
                return .mintTo(mint: accounts[0], destination: accounts[1], authority: accounts[2], amount: try reader.readLittleEndian(UInt64.self))
            case .mintToChecked:
                try needs(3, "mintToChecked")
                let amount = try reader.readLittleEndian(UInt64.self)
                return .mintToChecked(
                    mint: accounts[0], destination: accounts[1], authority: accounts[2], amount: amount, decimals: try reader.readByte())
            case .burn:
                try needs(3, "burn")
                return .burn(account: accounts[0], mint: accounts[1], authority: accounts[2], amount: try reader.readLittleEndian(UInt64.self))
            case .burnChecked:
                try needs(3, "burnChecked")
                let amount = try reader.readLittleEndian(UInt64.self)
                return .burnChecked(account: accounts[0], mint: accounts[1], authority: accounts[2], amount: amount, decimals: try reader.readByte())
            case .setAuthority:
                try needs(2, "setAuthority")
                let kind = try reader.readByte()
                return .setAuthority(account: accounts[0], currentAuthority: accounts[1], authorityType: kind, newAuthority: try optionalKey())
            case .closeAccount:
                try needs(3, "closeAccount")
                return .closeAccount(account: accounts[0], destination: accounts[1], owner: accounts[2])
            }
        } catch {
            return .unknown(tag: tagByte, reason: error.message)
        }
    }
}

extension DecodedTokenInstruction {
    /// Throws unless the instruction `name` has at least `count` accounts.
    static func needs(_ count: Int, _ name: String, _ accounts: [PublicKey]) throws(SolanaCoreError) {
        guard accounts.count >= count else {
            throw SolanaCoreError(.invalidInstruction, "\(name) needs \(count) accounts, has \(accounts.count)")
        }
    }

    /// The token metadata interface instructions, recognised by their 8-byte discriminators; nil for any other data.
    private static func decodeTokenMetadata(data: [UInt8], accounts: [PublicKey]) throws(SolanaCoreError) -> DecodedTokenInstruction? {
        let prefix = Array(data.prefix(8))
        var reader = WireReader(Array(data.dropFirst(8)), errorCode: .invalidInstruction, what: "token metadata instruction")
        if prefix == TokenMetadata.initializeDiscriminator {
            try needs(4, "token metadata initialize", accounts)
            let name = try reader.readBorshString()
            let symbol = try reader.readBorshString()
            let uri = try reader.readBorshString()
            return .initializeTokenMetadata(
                metadata: accounts[0], updateAuthority: accounts[1], mint: accounts[2], mintAuthority: accounts[3], name: name,
                symbol: symbol, uri: uri)
        }
        if prefix == TokenMetadata.updateFieldDiscriminator {
            try needs(2, "token metadata update field", accounts)
            let field: TokenMetadata.Field
            switch try reader.readByte() {
            case 0: field = .name
            case 1: field = .symbol
            case 2: field = .uri
            case 3: field = .key(try reader.readBorshString())
            case let other: throw SolanaCoreError(.invalidInstruction, "token metadata field \(other) is not 0-3")
            }
            return .updateTokenMetadataField(metadata: accounts[0], updateAuthority: accounts[1], field: field, value: try reader.readBorshString())
        }
        return nil
    }
}
