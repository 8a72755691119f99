import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// What a send's answer tells: the preflight's refusals, in the shapes a Solana node answers them (-32002 with the
/// simulation's `err` and `logs`), and the failures after which the transaction may or may not have left.
@Suite struct SendOutcomeTests {
    static func preflight(_ err: JSONValue, logs: [String] = []) -> RPCError {
        RPCError(
            .rpc, "sendTransaction failed: Transaction simulation failed (JSON-RPC error -32002)", rpcCode: -32002,
            data: ["err": err, "logs": .array(logs.map { .string($0) }), "accounts": .null, "unitsConsumed": 0])
    }

    @Test func preflightRefusalsAreToldApart() {
        #expect(SendOutcome.classify(Self.preflight("AlreadyProcessed")) == .refused(.alreadyProcessed))
        #expect(SendOutcome.classify(Self.preflight("BlockhashNotFound")) == .refused(.blockhashNotFound))
        let inUse = SendOutcome.classify(
            Self.preflight(
                ["InstructionError": [3, ["Custom": 0]]],
                logs: [
                    "Program 11111111111111111111111111111111 invoke [1]",
                    "Allocate: account Address { address: 4x, base: None } already in use",
                    "Program 11111111111111111111111111111111 failed: custom program error: 0x0",
                ]))
        guard case .refused(.addressInUse) = inUse else {
            Issue.record("address in use: \(inUse)")
            return
        }
        guard case .refused(.computeBudgetExceeded) = SendOutcome.classify(Self.preflight(["InstructionError": [6, "ComputationalBudgetExceeded"]]))
        else {
            Issue.record("compute budget")
            return
        }
        for funds in [
            Self.preflight("InsufficientFundsForFee"), Self.preflight("AccountNotFound"),
            Self.preflight(["InsufficientFundsForRent": ["account_index": 0]]),
            Self.preflight(["InstructionError": [2, ["Custom": 1]]], logs: ["Transfer: insufficient lamports 5, need 1461600"]),
        ] {
            guard case .refused(.insufficientFunds) = SendOutcome.classify(funds) else {
                Issue.record("the payer's funds: \(funds)")
                continue
            }
        }
        // Another account short of rent is not the payer's lack of funds.
        guard case .refused(.other(let detail)) = SendOutcome.classify(Self.preflight(["InsufficientFundsForRent": ["account_index": 1]])) else {
            Issue.record("another account's rent")
            return
        }
        #expect(detail.contains("account_index"))
    }

    @Test func failuresAfterWhichTheTransactionMayHaveLeftAreAmbiguous() {
        #expect(SendOutcome.classify(RPCError(.timeout, "sendTransaction got no answer")) == .ambiguous("timeout: sendTransaction got no answer"))
        for error in [
            RPCError(.transport, "the connection broke"), RPCError(.httpStatus, "HTTP 503", httpStatus: 503),
            RPCError(.rpc, "Internal error", rpcCode: -32603), RPCError(.invalidResponse, "not JSON"),
        ] {
            guard case .ambiguous = SendOutcome.classify(error) else {
                Issue.record("ambiguous: \(error)")
                continue
            }
        }
    }

    @Test func refusalsBeforeTheNodeLookedAreNotSent() {
        guard case .notSent = SendOutcome.classify(RPCError(.httpStatus, "HTTP 413", httpStatus: 413)) else {
            Issue.record("not sent: HTTP 413")
            return
        }
        // A 429 is not sent either, and asks every send to wait its Retry-After.
        guard case .throttled(_, let retryAfter) = SendOutcome.classify(RPCError(.rateLimited, "429", httpStatus: 429, retryAfter: .seconds(3)))
        else {
            Issue.record("throttled: HTTP 429")
            return
        }
        #expect(retryAfter == .seconds(3))
    }
}

/// What a transaction that landed failing tells, by the instruction its error names.
@Suite struct LandedFailureTests {
    @Test func customErrorZeroAtASystemInstructionIsTheAddressInUse() {
        // The job's transaction: compute limit and price (0, 1), transfer (2), allocate (3), assign (4), InitializeMint2
        // (5), the associated token account (6), MintTo (7).
        let transaction = SenderMachineHarness.transaction("a", blockhash: 1)
        let inUse: JSONValue = ["InstructionError": [3, ["Custom": 0]]]
        guard case .addressInUse = LandedFailure.classify(inUse, of: transaction) else {
            Issue.record("allocate's custom error 0 is AccountAlreadyInUse")
            return
        }
        // Custom error 0 of the token program (NotRentExempt) at InitializeMint2 is not.
        guard case .other = LandedFailure.classify(["InstructionError": [5, ["Custom": 0]]], of: transaction) else {
            Issue.record("another program's custom error 0")
            return
        }
        guard case .other = LandedFailure.classify(inUse, of: nil) else {
            Issue.record("without the transaction's bytes, nothing is assumed")
            return
        }
        guard case .other = LandedFailure.classify(["InstructionError": [99, ["Custom": 0]]], of: transaction) else {
            Issue.record("an index past the instructions")
            return
        }
        guard case .outOfCompute = LandedFailure.classify(["InstructionError": [6, "ProgramFailedToComplete"]], of: transaction) else {
            Issue.record("out of compute")
            return
        }
    }
}
