public import SolanaCore

/// What a transaction that landed and failed tells, read from its error: the mint address was in use (the System
/// program's `AccountAlreadyInUse`, custom error 0, at one of the transaction's System instructions), it ran out of
/// compute units, or anything else.
public enum LandedFailure: Sendable, Hashable {
    /// Something was already at an address the transaction allocates: find out whose mint it is.
    case addressInUse(String)
    /// It ran out of compute units: the worker's estimate, not the job.
    case outOfCompute(String)
    /// Any other failure of the job's instructions.
    case other(String)

    /// The failure `error` (the status's `err`) of `transaction` (nil when its bytes are unknown) amounts to.
    public static func classify(_ error: JSONValue?, of transaction: Transaction?) -> LandedFailure {
        let text = error.map(PreflightRefusal.text) ?? "an unknown error"
        if text.contains("ComputationalBudgetExceeded") || text.contains("ProgramFailedToComplete") { return .outOfCompute(text) }
        if case .object(let object)? = error, case .array(let parts)? = object["InstructionError"], parts.count == 2,
            case .int(let index)? = parts.first, case .object(let custom) = parts[1], custom["Custom"] == .int(0),
            let transaction, let instruction = transaction.message.instructions[safe: Int(index)],
            transaction.message.staticAccountKeys[safe: Int(instruction.programIDIndex)] == SystemProgram.programID
        {
            return .addressInUse(text)
        }
        return .other(text)
    }
}

extension Array {
    /// The element at `index`, or nil when the index is outside the array (an error from the network names it).
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
