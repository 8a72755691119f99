/// Builders for the System program's instructions the worker needs: creating, allocating and assigning accounts, and
/// moving lamports.
public enum SystemProgram {
    /// The System program's id.
    public static let programID: PublicKey = "11111111111111111111111111111111"

    /// Creates `newAccount` with `space` bytes owned by `owner`, funded with `lamports` from `from`.
    /// Both `from` and `newAccount` must sign.
    public static func createAccount(from: PublicKey, newAccount: PublicKey, lamports: UInt64, space: UInt64, owner: PublicKey) -> Instruction {
        var data = WireWriter(capacity: 52)
        data.writeLittleEndian(UInt32(0))
        data.writeLittleEndian(lamports)
        data.writeLittleEndian(space)
        data.write(owner)
        return Instruction(
            programID: programID, accounts: [.writable(from, signer: true), .writable(newAccount, signer: true)], data: data.bytes)
    }

    /// Gives `account` (which signs) `space` bytes of zeroed data. It must hold no data yet and belong to the System
    /// program; its lamports do not matter, so it works on an address anyone has already sent lamports to (unlike
    /// `createAccount`, which refuses an address that holds any).
    public static func allocate(account: PublicKey, space: UInt64) -> Instruction {
        var data = WireWriter(capacity: 12)
        data.writeLittleEndian(UInt32(8))
        data.writeLittleEndian(space)
        return Instruction(programID: programID, accounts: [.writable(account, signer: true)], data: data.bytes)
    }

    /// Makes `owner` the program that owns `account` (which signs; it must belong to the System program).
    public static func assign(account: PublicKey, owner: PublicKey) -> Instruction {
        var data = WireWriter(capacity: 36)
        data.writeLittleEndian(UInt32(1))
        data.write(owner)
        return Instruction(programID: programID, accounts: [.writable(account, signer: true)], data: data.bytes)
    }

    /// Moves `lamports` from `from` (which signs) to `to`.
    public static func transfer(from: PublicKey, to: PublicKey, lamports: UInt64) -> Instruction {
        var data = WireWriter(capacity: 12)
        data.writeLittleEndian(UInt32(2))
        data.writeLittleEndian(lamports)
        return Instruction(programID: programID, accounts: [.writable(from, signer: true), .writable(to)], data: data.bytes)
    }
}
