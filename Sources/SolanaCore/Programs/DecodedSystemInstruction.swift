/// A System program instruction decoded from its raw data and the instruction's account keys (the inverse of
/// `SystemProgram`'s builders), for the indexer. Anything not understood is `.unknown`, never a crash.
public enum DecodedSystemInstruction: Sendable, Hashable {
    /// CreateAccount (0): `from` funds `newAccount` with `lamports` and `space` bytes owned by `owner`.
    case createAccount(from: PublicKey, newAccount: PublicKey, lamports: UInt64, space: UInt64, owner: PublicKey)
    /// Transfer (2): `lamports` move from `from` to `to`.
    case transfer(from: PublicKey, to: PublicKey, lamports: UInt64)
    /// An instruction this decoder does not model, or data/accounts too short for its kind; `reason` says which.
    case unknown(reason: String)

    /// Decodes `data`; `accounts` are the instruction's account keys in instruction order.
    public static func decode(data: [UInt8], accounts: [PublicKey]) -> DecodedSystemInstruction {
        var reader = WireReader(data, errorCode: .invalidInstruction, what: "System instruction")
        do {
            let kind = try reader.readLittleEndian(UInt32.self)
            switch kind {
            case 0:
                let lamports = try reader.readLittleEndian(UInt64.self)
                let space = try reader.readLittleEndian(UInt64.self)
                let owner = try reader.readPublicKey()
                guard accounts.count >= 2 else { return .unknown(reason: "createAccount needs 2 accounts, has \(accounts.count)") }
                return .createAccount(from: accounts[0], newAccount: accounts[1], lamports: lamports, space: space, owner: owner)
            case 2:
                let lamports = try reader.readLittleEndian(UInt64.self)
                guard accounts.count >= 2 else { return .unknown(reason: "transfer needs 2 accounts, has \(accounts.count)") }
                return .transfer(from: accounts[0], to: accounts[1], lamports: lamports)
            default:
                return .unknown(reason: "System instruction \(kind) is not decoded")
            }
        } catch {
            return .unknown(reason: error.message)
        }
    }
}
