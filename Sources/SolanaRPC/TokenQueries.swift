public import SolanaCore
import Foundation

/// A token account found by `SolanaRPCClient.tokenAccounts(ofMint:program:)`: its address and what it holds.
public struct MintTokenAccount: Sendable, Hashable {
    public var address: PublicKey
    public var owner: PublicKey
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

    /// Every token account of `mint` under the token `program` (Token or Token-2022), found with `getProgramAccounts`
    /// filtered on the mint at offset 0 (and, for the classic program, the account size). Accounts whose data is not
    /// a token account of that mint (a Token-2022 mint whose first bytes happen to match) are left out.
    public func tokenAccounts(ofMint mint: PublicKey, program: PublicKey, commitment: Commitment = .confirmed) async throws(RPCError)
        -> [MintTokenAccount]
    {
        struct Entry: Decodable, Sendable {
            struct Account: Decodable, Sendable { let data: [String] }
            let pubkey: String
            let account: Account
        }
        var filters: [JSONValue] = [
            .object(["memcmp": .object(["offset": .int(0), "bytes": .string(mint.base58), "encoding": .string("base58")])])
        ]
        if program == TokenProgram.token.programId { filters.append(.object(["dataSize": .int(Int64(TokenAccountState.length))])) }
        let entries = try await call(
            "getProgramAccounts",
            [
                .string(program.base58),
                .object(["encoding": .string("base64"), "commitment": .string(commitment.rawValue), "filters": .array(filters)]),
            ],
            as: [Entry].self)
        var accounts: [MintTokenAccount] = []
        for entry in entries {
            guard let address = try? PublicKey(base58: entry.pubkey), let encoded = entry.account.data.first,
                let data = Data(base64Encoded: encoded)
            else {
                throw RPCError(.invalidResponse, "getProgramAccounts returned a malformed account \(entry.pubkey)")
            }
            let bytes = Array(data)
            // A Token-2022 account with extensions says what it is at offset 165 (2: a token account).
            if bytes.count > TokenAccountState.length && bytes[TokenAccountState.length] != 2 { continue }
            guard let state = try? TokenAccountState(data: bytes), state.mint == mint else { continue }
            accounts.append(MintTokenAccount(address: address, owner: state.owner, amount: state.amount))
        }
        return accounts
    }
}
