/// Builders for the Associated Token Account program and the address derivation it uses: every wallet has one
/// canonical token account per mint and token program.
public enum AssociatedTokenAccountProgram {
    /// The Associated Token Account program's id.
    public static let programID: PublicKey = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"

    /// The associated token account of `wallet` for `mint`: the program address of (wallet, token program, mint).
    public static func address(
        wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey = TokenProgram.token.programID
    ) throws(SolanaCoreError) -> PublicKey {
        try PublicKey.findProgramAddress(seeds: [wallet.bytes, tokenProgram.bytes, mint.bytes], programID: programID).address
    }

    /// The bump seed of the associated token account's address: the ATA program searches down from 255 for it on
    /// chain, paying compute units for every bump it tries (256 - bump of them).
    public static func bump(
        wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey = TokenProgram.token.programID
    ) throws(SolanaCoreError) -> UInt8 {
        try PublicKey.findProgramAddress(seeds: [wallet.bytes, tokenProgram.bytes, mint.bytes], programID: programID).bump
    }

    /// Creates the associated token account; fails on chain if it already exists.
    public static func create(
        payer: PublicKey, wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey = TokenProgram.token.programID
    ) throws(SolanaCoreError) -> Instruction {
        try instruction(payer: payer, wallet: wallet, mint: mint, tokenProgram: tokenProgram, data: [])
    }

    /// Creates the associated token account unless it already exists (safe to retry).
    public static func createIdempotent(
        payer: PublicKey, wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey = TokenProgram.token.programID
    ) throws(SolanaCoreError) -> Instruction {
        try instruction(payer: payer, wallet: wallet, mint: mint, tokenProgram: tokenProgram, data: [1])
    }

    /// `create` for an address the caller already derived with `address(wallet:mint:tokenProgram:)` (saves the
    /// program-address search when the caller needs the address anyway, e.g. to mint to it).
    public static func create(
        payer: PublicKey, associatedTokenAccount: PublicKey, wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey
    ) -> Instruction {
        instruction(payer: payer, ata: associatedTokenAccount, wallet: wallet, mint: mint, tokenProgram: tokenProgram, data: [])
    }

    /// `createIdempotent` for an address the caller already derived with `address(wallet:mint:tokenProgram:)`.
    public static func createIdempotent(
        payer: PublicKey, associatedTokenAccount: PublicKey, wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey
    ) -> Instruction {
        instruction(payer: payer, ata: associatedTokenAccount, wallet: wallet, mint: mint, tokenProgram: tokenProgram, data: [1])
    }

    private static func instruction(
        payer: PublicKey, wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey, data: [UInt8]
    ) throws(SolanaCoreError) -> Instruction {
        instruction(
            payer: payer, ata: try address(wallet: wallet, mint: mint, tokenProgram: tokenProgram), wallet: wallet, mint: mint,
            tokenProgram: tokenProgram, data: data)
    }

    private static func instruction(
        payer: PublicKey, ata: PublicKey, wallet: PublicKey, mint: PublicKey, tokenProgram: PublicKey, data: [UInt8]
    ) -> Instruction {
        Instruction(
            programID: programID,
            accounts: [
                .writable(payer, signer: true), .writable(ata), .readonly(wallet), .readonly(mint),
                .readonly(SystemProgram.programID), .readonly(tokenProgram),
            ],
            data: data)
    }
}
