/// Builders for the SPL Token program's instructions, for either the classic Token program or Token-2022
/// (which shares these instruction layouts). Single-authority forms only.
public struct TokenProgram: Sendable, Hashable, CustomStringConvertible {
    /// The program these builders address.
    public let programID: PublicKey

    /// The classic SPL Token program.
    public static let token = TokenProgram(programID: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    /// The Token-2022 (Token Extensions) program.
    public static let token2022 = TokenProgram(programID: "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")

    /// Builders addressed to `programID`; use `.token` or `.token2022` unless a fork or test program is meant.
    public init(programID: PublicKey) { self.programID = programID }

    /// Whether `programID` is one of the two token programs.
    public static func isTokenProgram(_ programID: PublicKey) -> Bool {
        programID == token.programID || programID == token2022.programID
    }

    /// "Token", "Token-2022", or the program id for any other program.
    public var description: String { self == .token ? "Token" : self == .token2022 ? "Token-2022" : "TokenProgram(\(programID))" }

    /// The authority a `setAuthority` instruction changes. Values 0-3 exist on both programs; 4 and above are
    /// Token-2022 extension authorities (the classic Token program rejects them).
    public enum AuthorityType: UInt8, Sendable, Hashable, CaseIterable {
        /// The mint's authority to mint new tokens.
        case mintTokens = 0
        /// The mint's authority to freeze and thaw token accounts.
        case freezeAccount = 1
        /// A token account's owner.
        case accountOwner = 2
        /// A token account's close authority.
        case closeAccount = 3
        /// Token-2022: the TransferFeeConfig extension's fee-setting authority.
        case transferFeeConfig = 4
        /// Token-2022: the authority that withdraws withheld transfer fees.
        case withheldWithdraw = 5
        /// Token-2022: the MintCloseAuthority extension's authority to close the mint.
        case closeMint = 6
        /// Token-2022: the InterestBearingConfig extension's rate authority.
        case interestRate = 7
        /// Token-2022: the PermanentDelegate extension's delegate.
        case permanentDelegate = 8
        /// Token-2022: the confidential-transfer mint authority.
        case confidentialTransferMint = 9
        /// Token-2022: the TransferHook extension's program-id authority.
        case transferHookProgramID = 10
        /// Token-2022: the confidential-transfer fee authority.
        case confidentialTransferFeeConfig = 11
        /// Token-2022: the MetadataPointer extension's authority.
        case metadataPointer = 12
        /// Token-2022: the GroupPointer extension's authority.
        case groupPointer = 13
        /// Token-2022: the GroupMemberPointer extension's authority.
        case groupMemberPointer = 14
        /// Token-2022: the ScaledUiAmount extension's multiplier authority.
        case scaledUiAmount = 15
        /// Token-2022: the Pausable extension's pause authority.
        case pause = 16
        /// Token-2022: the PermissionedBurn extension's burn authority (in the program's source; check that the
        /// cluster's deployed Token-2022 has it before using it).
        case permissionedBurn = 17
    }

    /// Instruction tags, from spl-token `instruction.rs`.
    enum Tag: UInt8 {
        case initializeMint = 0
        case initializeAccount = 1
        case transfer = 3
        case setAuthority = 6
        case mintTo = 7
        case burn = 8
        case closeAccount = 9
        case transferChecked = 12
        case mintToChecked = 14
        case burnChecked = 15
        case initializeAccount2 = 16
        case initializeAccount3 = 18
        case initializeMint2 = 20
    }

    private func instruction(_ tag: Tag, _ accounts: [AccountMeta], _ body: (inout WireWriter) -> Void = { _ in }) -> Instruction {
        var data = WireWriter(capacity: 67)
        data.write(tag.rawValue)
        body(&data)
        return Instruction(programID: programID, accounts: accounts, data: data.bytes)
    }

    /// Initializes a mint account already created with the right size and owner (no rent sysvar needed).
    public func initializeMint2(mint: PublicKey, decimals: UInt8, mintAuthority: PublicKey, freezeAuthority: PublicKey?) -> Instruction {
        instruction(.initializeMint2, [.writable(mint)]) { data in
            data.write(decimals)
            data.write(mintAuthority)
            if let freezeAuthority {
                data.write(1)
                data.write(freezeAuthority)
            } else {
                data.write(0)
            }
        }
    }

    /// Initializes a token account for `mint` owned by `owner` (no rent sysvar, owner in the data).
    public func initializeAccount3(account: PublicKey, mint: PublicKey, owner: PublicKey) -> Instruction {
        instruction(.initializeAccount3, [.writable(account), .readonly(mint)]) { $0.write(owner) }
    }

    /// Mints `amount` base units to `destination`; `authority` (the mint authority) signs.
    public func mintTo(mint: PublicKey, destination: PublicKey, authority: PublicKey, amount: UInt64) -> Instruction {
        instruction(.mintTo, [.writable(mint), .writable(destination), .readonly(authority, signer: true)]) { $0.writeLittleEndian(amount) }
    }

    /// `mintTo` that also asserts the mint's decimals.
    public func mintToChecked(mint: PublicKey, destination: PublicKey, authority: PublicKey, amount: UInt64, decimals: UInt8) -> Instruction {
        instruction(.mintToChecked, [.writable(mint), .writable(destination), .readonly(authority, signer: true)]) {
            $0.writeLittleEndian(amount)
            $0.write(decimals)
        }
    }

    /// Moves `amount` between two token accounts; `owner` (owner or delegate of `source`) signs. Note that the
    /// mint is not named: indexers must know the accounts' mint.
    public func transfer(source: PublicKey, destination: PublicKey, owner: PublicKey, amount: UInt64) -> Instruction {
        instruction(.transfer, [.writable(source), .writable(destination), .readonly(owner, signer: true)]) { $0.writeLittleEndian(amount) }
    }

    /// `transfer` that names the mint and asserts its decimals.
    public func transferChecked(
        source: PublicKey, mint: PublicKey, destination: PublicKey, owner: PublicKey, amount: UInt64, decimals: UInt8
    ) -> Instruction {
        instruction(.transferChecked, [.writable(source), .readonly(mint), .writable(destination), .readonly(owner, signer: true)]) {
            $0.writeLittleEndian(amount)
            $0.write(decimals)
        }
    }

    /// Burns `amount` from `account`; its `owner` (or delegate) signs.
    public func burn(account: PublicKey, mint: PublicKey, owner: PublicKey, amount: UInt64) -> Instruction {
        instruction(.burn, [.writable(account), .writable(mint), .readonly(owner, signer: true)]) { $0.writeLittleEndian(amount) }
    }

    /// `burn` that also asserts the mint's decimals.
    public func burnChecked(account: PublicKey, mint: PublicKey, owner: PublicKey, amount: UInt64, decimals: UInt8) -> Instruction {
        instruction(.burnChecked, [.writable(account), .writable(mint), .readonly(owner, signer: true)]) {
            $0.writeLittleEndian(amount)
            $0.write(decimals)
        }
    }

    /// Sets or clears (`newAuthority` nil) an authority of a mint or token account; `currentAuthority` signs.
    public func setAuthority(account: PublicKey, currentAuthority: PublicKey, authorityType: AuthorityType, newAuthority: PublicKey?) -> Instruction {
        instruction(.setAuthority, [.writable(account), .readonly(currentAuthority, signer: true)]) { data in
            data.write(authorityType.rawValue)
            if let newAuthority {
                data.write(1)
                data.write(newAuthority)
            } else {
                data.write(0)
            }
        }
    }
}
