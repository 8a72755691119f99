/// A token account's balance in a transaction's meta.
public struct TokenBalance: Sendable, Hashable {
    /// The token account, as an index into `FetchedTransaction.accountKeys`.
    public var accountIndex: Int
    public var mint: PublicKey
    public var owner: PublicKey?
    /// The token program that owns the account (Token or Token-2022).
    public var programID: PublicKey?
    /// Base units.
    public var amount: UInt64
    public var decimals: UInt8

    public init(accountIndex: Int, mint: PublicKey, owner: PublicKey?, programID: PublicKey?, amount: UInt64, decimals: UInt8) {
        self.accountIndex = accountIndex
        self.mint = mint
        self.owner = owner
        self.programID = programID
        self.amount = amount
        self.decimals = decimals
    }
}

/// The instructions invoked (through CPI) while one top-level instruction ran.
public struct InnerInstructions: Sendable, Hashable {
    /// The top-level instruction's index in the message.
    public var index: Int
    public var instructions: [InnerInstruction]

    public init(index: Int, instructions: [InnerInstruction]) {
        self.index = index
        self.instructions = instructions
    }
}

/// One invoked instruction: program and accounts as indexes into `FetchedTransaction.accountKeys`.
public struct InnerInstruction: Sendable, Hashable {
    public var programIDIndex: Int
    public var accounts: [Int]
    public var data: [UInt8]
    /// The invocation depth (2 for an instruction a top-level one invoked), when the node reports it.
    public var stackHeight: Int?

    public init(programIDIndex: Int, accounts: [Int], data: [UInt8], stackHeight: Int? = nil) {
        self.programIDIndex = programIDIndex
        self.accounts = accounts
        self.data = data
        self.stackHeight = stackHeight
    }
}
