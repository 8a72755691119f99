import FlutterbyeStore
import SolanaCore
import Testing

/// A request is checked once, into a value that holds what the worker needs parsed; a request that breaks rules is
/// refused with every one of them, in the order `enqueue_token_job` checks them.
struct CheckedTokenJobRequestTests {
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"

    @Test func aCheckedRequestHoldsItsParsedValues() throws {
        let request = TokenJobRequest(
            idempotencyKey: "order-1", tokenProgram: "token-2022", decimals: 6, name: "Launch", symbol: "LNCH", uri: "https://x/1",
            amount: "18446744073709551615", recipient: Self.recipient, mintAuthority: "revoke")
        let checked = try CheckedTokenJobRequest(request)
        #expect(checked.request == request)
        #expect(checked.plan.program == .token2022)
        #expect(checked.plan.amount == UInt64.max)
        #expect(checked.plan.recipient == (try PublicKey(base58: Self.recipient)))
        #expect(checked.plan.decimals == 6)
    }

    @Test func everyBrokenRuleIsRefusedAtOnceInTheFunctionsOrder() {
        let request = TokenJobRequest(
            idempotencyKey: "", tokenProgram: "token-3", decimals: 12, name: "Launch", symbol: "LNCH", uri: "https://x/1", amount: "-1",
            recipient: "not-an-address")
        #expect(throws: TokenJobRefusals.self) { try CheckedTokenJobRequest(request) }
        do {
            _ = try CheckedTokenJobRequest(request)
        } catch {
            #expect(error.refusals.map(\.field) == ["idempotency_key", "token_program", "decimals", "amount", "recipient"])
        }
        // The queue's form of the refusal: the first rule, as enqueue_token_job words it.
        #expect(throws: StoreError.self) { try request.checked() }
    }
}
