/// Builder for the SPL Memo program (v2): a UTF-8 note recorded in the transaction's logs.
public enum MemoProgram {
    /// The Memo program's id.
    public static let programID: PublicKey = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"

    /// A memo with `text`; every key in `signers` must sign the transaction (the program checks it).
    public static func memo(_ text: String, signers: [PublicKey] = []) -> Instruction {
        Instruction(programID: programID, accounts: signers.map { .readonly($0, signer: true) }, data: Array(text.utf8))
    }
}
