/// Builders for the Compute Budget program: the compute-unit limit and the priority fee per unit.
public enum ComputeBudgetProgram {
    /// The Compute Budget program's id.
    public static let programID: PublicKey = "ComputeBudget111111111111111111111111111111"

    /// Caps the transaction's compute units (and so its priority fee).
    public static func setComputeUnitLimit(_ units: UInt32) -> Instruction {
        var data = WireWriter(capacity: 5)
        data.write(2)
        data.writeLittleEndian(units)
        return Instruction(programID: programID, accounts: [], data: data.bytes)
    }

    /// Sets the priority fee in micro-lamports per compute unit.
    public static func setComputeUnitPrice(microLamports: UInt64) -> Instruction {
        var data = WireWriter(capacity: 9)
        data.write(3)
        data.writeLittleEndian(microLamports)
        return Instruction(programID: programID, accounts: [], data: data.bytes)
    }
}
