import Foundation
public import SolanaCore

/// A token account found by `SolanaRPCClient.tokenAccounts(ofMint:program:)`: its address and what it holds.
public struct MintTokenAccount: Sendable, Hashable {
    public var address: PublicKey
    public var owner: PublicKey
    /// Base units.
    public var amount: UInt64
}

/// A token account found by `SolanaRPCClient.tokenAccounts(ofOwner:program:)`: its address, mint and amount.
public struct OwnedTokenAccount: Sendable, Hashable {
    public var address: PublicKey
    public var mint: PublicKey
    /// Base units.
    public var amount: UInt64
}

extension SolanaRPCClient {
    private struct TokenAmount: Decodable, Sendable {
        let amount: String
    }

    private struct Contextual<Value: Decodable & Sendable>: Decodable, Sendable {
        let value: Value
    }

    /// An account of `getProgramAccounts` or `getTokenAccountsByOwner` (base64 encoding): its address and data.
    private struct KeyedAccount: Decodable, Sendable {
        struct Account: Decodable, Sendable { let data: [String] }
        let pubkey: String
        let account: Account

        /// The address and the data's bytes; `invalidResponse` naming `method` when either is malformed.
        func decoded(_ method: String) throws(RPCError) -> (address: PublicKey, data: [UInt8]) {
            guard let address = try? PublicKey(base58: pubkey), let encoded = account.data.first, let data = Data(base64Encoded: encoded) else {
                throw RPCError(.invalidResponse, "\(method) returned a malformed account \(pubkey)")
            }
            return (address, Array(data))
        }
    }

    /// `getTokenSupply`: the mint's supply in base units.
    public func tokenSupply(_ mint: PublicKey, commitment: Commitment = .confirmed) async throws(RPCError) -> UInt64 {
        let answer = try await call(
            "getTokenSupply", [.string(mint.base58), .object(["commitment": .string(commitment.rawValue)])], as: Contextual<TokenAmount>.self)
        guard let supply = UInt64(answer.value.amount) else {
            throw RPCError(.invalidResponse, "getTokenSupply \(mint.base58): \(answer.value.amount) is not a u64")
        }
        return supply
    }

    /// `getTokenAccountBalance`: what the token account holds, in base units.
    public func tokenAccountBalance(_ account: PublicKey, commitment: Commitment = .confirmed) async throws(RPCError) -> UInt64 {
        let answer = try await call(
            "getTokenAccountBalance", [.string(account.base58), .object(["commitment": .string(commitment.rawValue)])],
            as: Contextual<TokenAmount>.self)
        guard let amount = UInt64(answer.value.amount) else {
            throw RPCError(.invalidResponse, "getTokenAccountBalance \(account.base58): \(answer.value.amount) is not a u64")
        }
        return amount
    }

    /// `getTokenAccountBalance` for several accounts in one JSON-RPC batch; nil for an account that does not exist
    /// (closed, or never created).
    public func tokenAccountBalances(_ accounts: [PublicKey], commitment: Commitment = .confirmed) async throws(RPCError) -> [UInt64?] {
        let calls = accounts.map { account in
            (method: "getTokenAccountBalance", params: [JSONValue.string(account.base58), .object(["commitment": .string(commitment.rawValue)])])
        }
        var balances: [UInt64?] = []
        for (account, answer) in zip(accounts, try await batch(calls, as: Contextual<TokenAmount>.self)) {
            switch answer {
            case .success(let value?):
                guard let amount = UInt64(value.value.amount) else {
                    throw RPCError(.invalidResponse, "getTokenAccountBalance \(account.base58): \(value.value.amount) is not a u64")
                }
                balances.append(amount)
            case .success(nil):
                balances.append(nil)
            case .failure(let error) where error.rpcCode == -32602:
                // "Invalid param: could not find account" (or not a token account).
                balances.append(nil)
            case .failure(let error):
                throw error
            }
        }
        return balances
    }

    /// Each of `accounts` read as a token account, through `getMultipleAccounts` (100 a call): nil where there is no
    /// account, or one that is not a token account of the Token or Token-2022 program (an address closed and created
    /// again as something else). Whatever mint it holds: the caller compares `mint`.
    public func tokenAccountStates(_ accounts: [PublicKey], commitment: Commitment = .confirmed) async throws(RPCError) -> [TokenAccountState?] {
        try await multipleAccounts(accounts, commitment: commitment).map { account in
            guard let account, TokenProgram.isTokenProgram(account.owner) else { return nil }
            return Self.tokenAccount(account.data)
        }
    }

    /// `data` read as a token account; nil when it is not one. A Token-2022 account with extensions says what it is
    /// at offset 165 (2: a token account; a mint says 1).
    static func tokenAccount(_ data: [UInt8]) -> TokenAccountState? {
        if data.count > TokenAccountState.length && data[TokenAccountState.length] != 2 { return nil }
        return try? TokenAccountState(data: data)
    }

    /// Every token account of `mint` under the token `program` (Token or Token-2022), found with `getProgramAccounts`
    /// filtered on the mint at offset 0 (and, for the classic program, the account size). Accounts whose data is not
    /// a token account of that mint (a Token-2022 mint whose first bytes happen to match) are left out.
    public func tokenAccounts(
        ofMint mint: PublicKey, program: PublicKey, commitment: Commitment = .confirmed
    ) async throws(RPCError)
        -> [MintTokenAccount]
    {
        var filters: [JSONValue] = [
            .object(["memcmp": .object(["offset": .int(0), "bytes": .string(mint.base58), "encoding": .string("base58")])])
        ]
        if program == TokenProgram.token.programID { filters.append(.object(["dataSize": .int(Int64(TokenAccountState.length))])) }
        let entries = try await call(
            "getProgramAccounts",
            [
                .string(program.base58),
                .object(["encoding": .string("base64"), "commitment": .string(commitment.rawValue), "filters": .array(filters)]),
            ],
            as: [KeyedAccount].self)
        var accounts: [MintTokenAccount] = []
        for entry in entries {
            let (address, bytes) = try entry.decoded("getProgramAccounts")
            guard let state = Self.tokenAccount(bytes), state.mint == mint else { continue }
            accounts.append(MintTokenAccount(address: address, owner: state.owner, amount: state.amount))
        }
        return accounts
    }

    /// `getTokenAccountsByOwner` with a `programID` filter: every token account `owner` has under `program`, of any mint.
    public func tokenAccounts(
        ofOwner owner: PublicKey, program: PublicKey, commitment: Commitment = .confirmed
    ) async throws(RPCError)
        -> [OwnedTokenAccount]
    {
        let answer = try await call(
            "getTokenAccountsByOwner",
            [
                .string(owner.base58), .object(["programId": .string(program.base58)]),
                .object(["encoding": .string("base64"), "commitment": .string(commitment.rawValue)]),
            ],
            as: Contextual<[KeyedAccount]>.self)
        var accounts: [OwnedTokenAccount] = []
        for entry in answer.value {
            let (address, data) = try entry.decoded("getTokenAccountsByOwner")
            guard let state = try? TokenAccountState(data: data) else {
                throw RPCError(.invalidResponse, "getTokenAccountsByOwner returned \(entry.pubkey), which is not a token account")
            }
            accounts.append(OwnedTokenAccount(address: address, mint: state.mint, amount: state.amount))
        }
        return accounts
    }
}
