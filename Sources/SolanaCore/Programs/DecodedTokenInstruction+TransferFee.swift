extension DecodedTokenInstruction {
    /// Token-2022's TransferFee extension instruction tag; the next byte is the sub-instruction.
    static let transferFeeExtensionTag: UInt8 = 26

    /// The TransferFee sub-instructions that move or hold tokens (spl-token-2022's `TransferFeeInstruction`), read
    /// after the tag: TransferCheckedWithFee (1), WithdrawWithheldTokensFromMint (2),
    /// WithdrawWithheldTokensFromAccounts (3) and HarvestWithheldTokensToMint (4). The others (the configuration's
    /// initialisation and change) are `.unknown`.
    static func decodeTransferFee(_ reader: inout WireReader, accounts: [PublicKey]) throws(SolanaCoreError) -> DecodedTokenInstruction {
        func needs(_ count: Int, _ name: String) throws(SolanaCoreError) { try Self.needs(count, name, accounts) }
        let subTag = try reader.readByte()
        switch subTag {
        case 1:
            try needs(4, "transferCheckedWithFee")
            let amount = try reader.readLittleEndian(UInt64.self)
            let decimals = try reader.readByte()
            let fee = try reader.readLittleEndian(UInt64.self)
            return .transferCheckedWithFee(
                source: accounts[0], mint: accounts[1], destination: accounts[2], authority: accounts[3], amount: amount, decimals: decimals,
                fee: fee)
        case 2:
            try needs(3, "withdrawWithheldTokensFromMint")
            return .withdrawWithheldTokensFromMint(mint: accounts[0], destination: accounts[1], authority: accounts[2])
        case 3:
            // The sources are the last `count` accounts, after the authority and its multisig signers.
            let count = Int(try reader.readByte())
            try needs(3 + count, "withdrawWithheldTokensFromAccounts of \(count) account(s)")
            return .withdrawWithheldTokensFromAccounts(
                mint: accounts[0], destination: accounts[1], authority: accounts[2], sources: Array(accounts.suffix(count)))
        case 4:
            try needs(1, "harvestWithheldTokensToMint")
            return .harvestWithheldTokensToMint(mint: accounts[0], sources: Array(accounts.dropFirst()))
        default:
            return .unknown(tag: transferFeeExtensionTag, reason: "TransferFee instruction \(subTag) is not decoded")
        }
    }
}
