/// The size on the wire of a token job's transaction, as the largest worker configuration builds it: the compute unit
/// limit and price set (the sender always sets both), a mint authority of its own (three signers), and for the classic
/// program Metaplex metadata. A job whose transaction is over `limit` can never be sent, whatever worker runs it.
///
/// Measured by `TokenCreationPlan`'s own instructions and message compiler, the ones the sender signs, with placeholder
/// keys: a transaction's size depends on how many distinct keys it names, never on their values (the recipient is
/// counted as a key of its own, as any real recipient is). `flutterbye.token_job_transaction_size` in schema.sql is the
/// same size as a formula; a test holds the two equal.
public enum TokenCreationSize {
    /// Solana's limit on a serialized transaction.
    public static let limit = Transaction.maxSerializedSize

    /// The bytes of the largest transaction any worker builds for a job with these fields and choices (addresses a job
    /// hands an authority to are instruction data, not keys: their values do not count either). Throws
    /// `invalidArgument` for a name, symbol or URI over its own limit (`TokenMetadata.checkLengths`).
    public static func largest(
        program: TokenProgram, name: String, symbol: String, uri: String, memo: String?, choices: IssuerChoices = .standard
    ) throws(SolanaCoreError) -> Int {
        let plan = TokenCreationPlan(
            unchecked: program, decimals: 0, name: name, symbol: symbol, uri: uri, amount: 0, recipient: Placeholder.recipient, memo: memo,
            choices: choices)
        let instructions = try plan.instructions(
            payer: Placeholder.payer, mint: Placeholder.mint, mintAuthority: Placeholder.mintAuthority, mintRentLamports: 0,
            computeUnitLimit: 0, computeUnitPrice: 0, metaplexAccount: Placeholder.metaplexAccount,
            recipientTokenAccount: Placeholder.recipientTokenAccount)
        let message = try LegacyMessage(payer: Placeholder.payer, instructions: instructions, recentBlockhash: Blockhash(Placeholder.blockhash))
        return Transaction.serializedSize(signatureCount: Int(message.header.numRequiredSignatures), messageSize: message.serialized().count)
    }

    /// Whether a job with these fields and choices fits within `limit` (what `largest` measures). With the standard
    /// choices the builder runs only for a memo longer than `memoThatAlwaysFits`: a transaction only grows with its
    /// fields' bytes, so a job whose memo fits beside the largest name, symbol and URI fits with any of them. Throws as
    /// `largest` does.
    public static func fits(
        program: TokenProgram, name: String, symbol: String, uri: String, memo: String?, choices: IssuerChoices = .standard
    ) throws(SolanaCoreError) -> Bool {
        if choices == .standard, (memo?.utf8.count ?? 0) <= memoThatAlwaysFits(program) {
            try TokenMetadata.checkLengths(name: name, symbol: symbol, uri: uri)
            return true
        }
        return try largest(program: program, name: name, symbol: symbol, uri: uri, memo: memo, choices: choices) <= limit
    }

    /// The longest memo (in bytes) that fits beside the longest name, symbol and URI (32, 10 and 200 bytes), with the
    /// standard choices.
    public static func memoThatAlwaysFits(_ program: TokenProgram) -> Int {
        program == .token2022 ? token2022MemoThatAlwaysFits : tokenMemoThatAlwaysFits
    }

    private static let tokenMemoThatAlwaysFits = longestMemoBesideFullMetadata(.token)
    private static let token2022MemoThatAlwaysFits = longestMemoBesideFullMetadata(.token2022)

    /// Measured by `largest`, searching the memo lengths (sizes only grow with the memo).
    private static func longestMemoBesideFullMetadata(_ program: TokenProgram) -> Int {
        let name = String(repeating: "n", count: TokenMetadata.maxNameLength)
        let symbol = String(repeating: "s", count: TokenMetadata.maxSymbolLength)
        let uri = String(repeating: "u", count: TokenMetadata.maxURILength)
        func fits(_ memo: Int) -> Bool {
            let size = try? largest(
                program: program, name: name, symbol: symbol, uri: uri, memo: memo == 0 ? nil : String(repeating: "m", count: memo))
            return size.map { $0 <= limit } ?? false
        }
        guard fits(0) else { return -1 }
        var (fitting, over) = (0, limit + 1)  // fits(fitting), and no memo of `over` bytes can fit
        while over - fitting > 1 {
            let middle = (fitting + over) / 2
            if fits(middle) { fitting = middle } else { over = middle }
        }
        return fitting
    }

    /// Distinct keys (and a blockhash), none a program's id.
    private enum Placeholder {
        static let payer = key(1)
        static let mint = key(2)
        static let mintAuthority = key(3)
        static let recipient = key(4)
        static let recipientTokenAccount = key(5)
        static let metaplexAccount = key(6)
        static let blockhash = key(7)

        static func key(_ byte: UInt64) -> PublicKey {
            let word = byte &* 0x0101_0101_0101_0101
            return PublicKey(w0: word, w1: word, w2: word, w3: word)
        }
    }
}
