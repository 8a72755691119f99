/// The structural checks the runtime makes before a message can run, so a parsed message is always indexable.
enum MessageValidation {
    static func check(header: MessageHeader, staticKeyCount: Int, loadedKeyCount: Int, instructions: [CompiledInstruction]) throws(SolanaCoreError) {
        let signers = Int(header.numRequiredSignatures)
        guard signers >= 1 else { throw SolanaCoreError(.malformedMessage, "malformed message: it requires no signature, so it has no fee payer") }
        guard signers + Int(header.numReadonlyUnsignedAccounts) <= staticKeyCount else {
            throw SolanaCoreError(
                .malformedMessage,
                "malformed message: the header counts more accounts (\(signers) signers + \(header.numReadonlyUnsignedAccounts) read-only) than the \(staticKeyCount) keys it lists"
            )
        }
        guard header.numReadonlySignedAccounts < header.numRequiredSignatures else {
            throw SolanaCoreError(.malformedMessage, "malformed message: every signer is read-only, but the fee payer must be writable")
        }
        let total = staticKeyCount + loadedKeyCount
        guard total <= 256 else {
            throw SolanaCoreError(.malformedMessage, "malformed message: it addresses \(total) accounts; at most 256 are allowed")
        }
        for (number, instruction) in instructions.enumerated() {
            guard Int(instruction.programIDIndex) < staticKeyCount else {
                throw SolanaCoreError(
                    .malformedMessage,
                    "malformed message: instruction \(number)'s program index \(instruction.programIDIndex) is outside the \(staticKeyCount) static keys"
                )
            }
            if let bad = instruction.accounts.first(where: { Int($0) >= total }) {
                throw SolanaCoreError(
                    .malformedMessage, "malformed message: instruction \(number) uses account index \(bad), but the message has \(total) accounts")
            }
        }
    }
}
