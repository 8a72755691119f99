/// What one token job creates, in typed form (a job's fields parsed once, by `TokenJobRequest.plan()`), so that a
/// malformed job fails at once as a permanent error instead of on chain.
public struct TokenCreationPlan: Sendable, Hashable {
    public var program: TokenProgram
    public var decimals: UInt8
    public var name: String
    public var symbol: String
    public var uri: String
    /// Base units to mint to the recipient's associated token account.
    public var amount: UInt64
    public var recipient: PublicKey
    public var memo: String?
    /// Who holds the authorities afterwards, and the metadata's additional fields.
    public var choices: IssuerChoices

    /// A plan of typed fields (a job's come from `TokenJobRequest.plan()`, which checks the queue's rules once). Throws
    /// `invalidArgument` naming the field for decimals over 9, a name, symbol or URI over its metadata limit, which the
    /// instructions could not carry, or Token-2022 metadata choices for a classic token.
    public init(
        program: TokenProgram, decimals: UInt8, name: String, symbol: String, uri: String, amount: UInt64, recipient: PublicKey, memo: String?,
        choices: IssuerChoices = .standard
    ) throws(SolanaCoreError) {
        guard decimals <= 9 else { throw SolanaCoreError(.invalidArgument, "decimals \(decimals) is not between 0 and 9") }
        try TokenMetadata.checkLengths(name: name, symbol: symbol, uri: uri)
        guard program == .token2022 || choices.hasStandardMetadata else {
            throw SolanaCoreError(
                .invalidArgument, "a classic token has no Token-2022 metadata: its update authority and additional fields cannot be chosen")
        }
        self.init(
            unchecked: program, decimals: decimals, name: name, symbol: symbol, uri: uri, amount: amount, recipient: recipient, memo: memo,
            choices: choices)
    }

    /// A plan of fields taken as they are (`TokenCreationSize` measures plans of any size with it).
    init(
        unchecked program: TokenProgram, decimals: UInt8, name: String, symbol: String, uri: String, amount: UInt64, recipient: PublicKey,
        memo: String?, choices: IssuerChoices = .standard
    ) {
        self.program = program
        self.decimals = decimals
        self.name = name
        self.symbol = symbol
        self.uri = uri
        self.amount = amount
        self.recipient = recipient
        self.memo = memo
        self.choices = choices
    }

    /// The bytes the mint account holds when `initializeMint2` runs (for Token-2022: the MetadataPointer extension).
    public var mintSpace: Int { program == .token2022 ? 234 : TokenMintState.length }

    /// The bytes the mint account holds at the end (for Token-2022: plus the metadata the interface appends, its
    /// additional fields included).
    public func finalMintSpace(mint: PublicKey, updateAuthority: PublicKey) throws(SolanaCoreError) -> Int {
        guard program == .token2022 else { return mintSpace }
        return mintSpace
            + (try TokenMetadata.tlvSize(
                updateAuthority: updateAuthority, mint: mint, name: name, symbol: symbol, uri: uri, additionalMetadata: choices.additionalMetadata))
    }

    /// The instructions of the token-creation transaction, in order: compute budget (when given), the mint account
    /// made by transfer + allocate + assign (funded for its final size), the MetadataPointer (Token-2022; its
    /// authority is the metadata's update authority), InitializeMint2 (with the chosen freeze authority), the on-chain
    /// metadata (Token-2022: Initialize, an UpdateField per additional field, then UpdateAuthority unless the service
    /// keeps it; Metaplex for the classic program when `metaplexMetadata`), the recipient's associated token account
    /// (idempotent), MintTo, SetAuthority unless the service keeps the mint authority, and the memo. Every choice is
    /// in the one transaction, so a job still creates its token once, whole.
    ///
    /// Not `createAccount`: it refuses an address that holds any lamports, and anyone can send lamports to a mint
    /// address once it is known. Transfer, allocate and assign work whatever the address holds (the lamports stay in
    /// the mint account), and allocate still fails once the mint exists, so a job can still create at most one token.
    public func instructions(
        payer: PublicKey, mint: PublicKey, mintAuthority: PublicKey, mintRentLamports: UInt64,
        computeUnitLimit: UInt32?, computeUnitPrice: UInt64?, metaplexMetadata: Bool = false
    ) throws(SolanaCoreError) -> [Instruction] {
        let metaplexAccount = program == .token && metaplexMetadata ? try MetaplexTokenMetadataProgram.metadataAddress(mint: mint) : nil
        return try instructions(
            payer: payer, mint: mint, mintAuthority: mintAuthority, mintRentLamports: mintRentLamports, computeUnitLimit: computeUnitLimit,
            computeUnitPrice: computeUnitPrice, metaplexAccount: metaplexAccount,
            recipientTokenAccount: try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint, tokenProgram: program.programID))
    }

    /// `instructions` with the program-derived accounts given: the recipient's associated token account, and the Metaplex
    /// metadata account (nil: no Metaplex metadata). `TokenCreationSize` gives placeholders: a size depends on which
    /// keys are distinct, not on their values.
    func instructions(
        payer: PublicKey, mint: PublicKey, mintAuthority: PublicKey, mintRentLamports: UInt64, computeUnitLimit: UInt32?,
        computeUnitPrice: UInt64?, metaplexAccount: PublicKey?, recipientTokenAccount ata: PublicKey
    ) throws(SolanaCoreError) -> [Instruction] {
        var instructions: [Instruction] = []
        if let computeUnitLimit { instructions.append(ComputeBudgetProgram.setComputeUnitLimit(computeUnitLimit)) }
        if let computeUnitPrice { instructions.append(ComputeBudgetProgram.setComputeUnitPrice(microLamports: computeUnitPrice)) }
        instructions.append(SystemProgram.transfer(from: payer, to: mint, lamports: mintRentLamports))
        instructions.append(SystemProgram.allocate(account: mint, space: UInt64(mintSpace)))
        instructions.append(SystemProgram.assign(account: mint, owner: program.programID))
        let metadataAuthority = choices.metadataUpdateAuthority.key(service: mintAuthority)
        if program == .token2022 {
            instructions.append(MetadataPointer.initialize(mint: mint, authority: metadataAuthority, metadataAddress: mint))
        }
        instructions.append(
            program.initializeMint2(
                mint: mint, decimals: decimals, mintAuthority: mintAuthority, freezeAuthority: choices.freezeAuthority.key(service: mintAuthority)))
        if program == .token2022 {
            // Initialized with the service's key as update authority, which signs the fields, then handed on.
            instructions.append(
                try TokenMetadata.initialize(
                    metadata: mint, updateAuthority: mintAuthority, mint: mint, mintAuthority: mintAuthority, name: name, symbol: symbol, uri: uri))
            for field in choices.additionalMetadata {
                instructions.append(
                    try TokenMetadata.updateField(metadata: mint, updateAuthority: mintAuthority, field: .key(field.key), value: field.value))
            }
            if choices.metadataUpdateAuthority != .service {
                instructions.append(TokenMetadata.updateAuthority(metadata: mint, currentAuthority: mintAuthority, newAuthority: metadataAuthority))
            }
        } else if let metaplexAccount {
            instructions.append(
                try MetaplexTokenMetadataProgram.createMetadataAccountV3(
                    metadata: metaplexAccount, mint: mint, mintAuthority: mintAuthority, payer: payer, updateAuthority: mintAuthority,
                    name: name, symbol: symbol, uri: uri, sellerFeeBasisPoints: 0, isMutable: true, updateAuthorityIsSigner: true))
        }
        instructions.append(
            AssociatedTokenAccountProgram.createIdempotent(
                payer: payer, associatedTokenAccount: ata, wallet: recipient, mint: mint, tokenProgram: program.programID))
        instructions.append(program.mintTo(mint: mint, destination: ata, authority: mintAuthority, amount: amount))
        if choices.mintAuthority != .service {
            instructions.append(
                program.setAuthority(
                    account: mint, currentAuthority: mintAuthority, authorityType: .mintTokens,
                    newAuthority: choices.mintAuthority.key(service: mintAuthority)))
        }
        if let memo, !memo.isEmpty { instructions.append(MemoProgram.memo(memo, signers: [payer])) }
        return instructions
    }

    /// The signed transaction: payer, mint and (when different from the payer) the mint authority sign.
    public func transaction(
        payer: Keypair, mint: Keypair, mintAuthority: Keypair, mintRentLamports: UInt64, recentBlockhash: Blockhash,
        computeUnitLimit: UInt32?, computeUnitPrice: UInt64?, metaplexMetadata: Bool = false
    ) throws(SolanaCoreError) -> Transaction {
        let instructions = try instructions(
            payer: payer.publicKey, mint: mint.publicKey, mintAuthority: mintAuthority.publicKey, mintRentLamports: mintRentLamports,
            computeUnitLimit: computeUnitLimit, computeUnitPrice: computeUnitPrice, metaplexMetadata: metaplexMetadata)
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: recentBlockhash)
        var signers = [payer, mint]
        if mintAuthority.publicKey != payer.publicKey { signers.append(mintAuthority) }
        return try Transaction(message: .legacy(message), signers: signers)
    }
}
