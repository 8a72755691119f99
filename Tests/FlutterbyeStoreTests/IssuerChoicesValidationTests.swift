import FlutterbyeStore
import Foundation
import SolanaCore
import Testing

/// The issuer's choices as `TokenJobRequest` checks and parses them, without a database: every rule names its field
/// with the function's reason, and a valid request becomes the plan the worker signs.
@Suite struct IssuerChoicesValidationTests {
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"
    static let escrow = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"

    static func request(program: String = "token-2022", _ change: (inout TokenJobRequest) -> Void = { _ in }) -> TokenJobRequest {
        var request = TokenJobRequest(
            idempotencyKey: "k", tokenProgram: program, decimals: 6, name: "Name", symbol: "SYM", uri: "https://flutterbye.example/t.json",
            amount: "1000", recipient: recipient)
        change(&request)
        return request
    }

    func refusals(_ request: TokenJobRequest) -> [String] { request.invalidFields().map(\.message) }

    @Test func everyChoiceHasItsRule() {
        #expect(
            refusals(Self.request { $0.mintAuthority = "Keep" }) == ["invalid mint_authority: 'Keep' is not keep, revoke or a base58 Solana address"])
        #expect(
            refusals(Self.request { $0.mintAuthority = "11111111111111111111111111111111" }) == [
                "invalid mint_authority: 11111111111111111111111111111111 is the all-zero address, which nobody can sign for: ask for revoke instead"
            ])
        #expect(
            refusals(Self.request { $0.freezeAuthority = "it's" }) == [
                "invalid freeze_authority: 'it''s' is not none, ours or a base58 Solana address"
            ])
        #expect(
            refusals(Self.request { $0.metadataUpdateAuthority = "keep" }) == [
                "invalid metadata_update_authority: 'keep' is not ours, none or a base58 Solana address"
            ])
        let classic = "a classic token (token_program token) has no Token-2022 metadata: leave it out, or use token-2022"
        #expect(refusals(Self.request(program: "token") { $0.metadataUpdateAuthority = "ours" }) == ["invalid metadata_update_authority: \(classic)"])
        #expect(refusals(Self.request(program: "token") { $0.additionalMetadata = [.init("a", "b")] }) == ["invalid additional_metadata: \(classic)"])
        #expect(refusals(Self.request { $0.additionalMetadata = [.init("", "b")] }) == ["invalid additional_metadata: its keys must not be empty"])
        #expect(
            refusals(Self.request { $0.additionalMetadata = [.init("a", "1"), .init("b", "2"), .init("b", "3"), .init("a", "4")] }) == [
                "invalid additional_metadata: the key 'a' appears more than once"
            ])
        // Keys are compared byte for byte: é composed and decomposed are two keys.
        #expect(refusals(Self.request { $0.additionalMetadata = [.init("caf\u{E9}", "1"), .init("cafe\u{301}", "2")] }) == [])
        #expect(
            refusals(Self.request { $0.additionalMetadata = [.init("k", String(repeating: "v", count: 1232))] }) == [
                "invalid additional_metadata: its keys and values have 1233 bytes, more than a transaction can carry (1232)"
            ])
    }

    @Test func choicesThatMakeTheTransactionTooLargeAreNamedWithTheOtherFields() throws {
        let request = Self.request {
            $0.memo = String(repeating: "m", count: 150)
            $0.mintAuthority = Self.escrow
            $0.freezeAuthority = "ours"
            $0.metadataUpdateAuthority = "none"
            $0.additionalMetadata = [.init("about", String(repeating: "a", count: 120))]
        }
        let refusal = try #require(request.invalidFields().first)
        #expect(
            refusal.fields == [
                "name", "symbol", "uri", "memo", "mint_authority", "freeze_authority", "metadata_update_authority", "additional_metadata",
            ])
        let choices = IssuerChoices(
            mintAuthority: .address(try PublicKey(base58: Self.escrow)), freezeAuthority: .service, metadataUpdateAuthority: .nobody,
            additionalMetadata: request.additionalMetadata)
        let size = try TokenCreationSize.largest(
            program: .token2022, name: request.name, symbol: request.symbol, uri: request.uri, memo: request.memo, choices: choices)
        #expect(size > 1232)
        #expect(refusal.reason == "together they make the job's transaction \(size) bytes, \(size - 1232) more than Solana's limit of 1232")
    }

    @Test func aValidRequestBecomesThePlanWithItsChoices() throws {
        let escrow = try PublicKey(base58: Self.escrow)
        let plan = try Self.request {
            $0.mintAuthority = "revoke"
            $0.freezeAuthority = Self.escrow
            $0.metadataUpdateAuthority = "none"
            $0.additionalMetadata = [.init("website", "https://flutterbye.example")]
        }.plan()
        #expect(
            plan.choices
                == IssuerChoices(
                    mintAuthority: .nobody, freezeAuthority: .address(escrow), metadataUpdateAuthority: .nobody,
                    additionalMetadata: [.init("website", "https://flutterbye.example")]))
        #expect(try Self.request().plan().choices == .standard)
        #expect(try Self.request(program: "token").plan().choices == .standard)
        let handed = try Self.request {
            $0.mintAuthority = Self.escrow
            $0.freezeAuthority = "ours"
            $0.metadataUpdateAuthority = Self.escrow
        }.plan()
        #expect(
            handed.choices == IssuerChoices(mintAuthority: .address(escrow), freezeAuthority: .service, metadataUpdateAuthority: .address(escrow)))
        #expect(throws: StoreError.self) { try Self.request { $0.mintAuthority = "nope" }.plan() }
    }
}
