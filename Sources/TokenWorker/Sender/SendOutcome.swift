import SolanaCore
public import SolanaRPC

/// What one `sendTransaction` told about a transaction, read from the node's answer: whether it may have been
/// forwarded to the cluster, and if the preflight refused it, why.
public enum SendOutcome: Sendable, Hashable {
    /// The node took it (answered its signature).
    case accepted
    /// The request was refused before the node looked at it (a 4xx): send it again, preflight included.
    case notSent(String)
    /// The endpoint answered 429: nothing was sent, and every send waits `retryAfter` (its Retry-After, clamped by the
    /// client), or a pause of the sender's own when it gave none.
    case throttled(String, retryAfter: Duration?)
    /// It may or may not have been forwarded (a timeout, a broken connection, a 5xx, an odd answer): follow it as sent.
    case ambiguous(String)
    /// The preflight simulation refused it: the node did not forward it.
    case refused(PreflightRefusal)

    /// The outcome of a send that failed with `error`.
    public static func classify(_ error: RPCError) -> SendOutcome {
        switch error.code {
        case .rateLimited:
            return .throttled(error.description, retryAfter: error.retryAfter)
        case .httpStatus:
            return (error.httpStatus ?? 500) >= 500 ? .ambiguous(error.description) : .notSent(error.description)
        case .rpc where error.rpcCode == -32002:
            return .refused(PreflightRefusal.classify(error))
        default:
            return .ambiguous(error.description)
        }
    }
}

/// Why a preflight simulation refused a transaction, in the classes the sender acts on differently.
public enum PreflightRefusal: Sendable, Hashable {
    /// It already landed (the node has processed it).
    case alreadyProcessed
    /// The node does not know the transaction's blockhash (it lags behind the node that gave it): try again later.
    case blockhashNotFound
    /// The mint address already holds an account (the System program's "already in use"): find out whose.
    case addressInUse(String)
    /// It needs more compute units than it asked for.
    case computeBudgetExceeded(String)
    /// The fee payer cannot pay the fee and rent.
    case insufficientFunds(String)
    /// Anything else the simulation found (the error and the last log lines).
    case other(String)

    /// The refusal a -32002 "Transaction simulation failed" error carries (its `data`: `err` and `logs`).
    static func classify(_ error: RPCError) -> PreflightRefusal {
        let failure: JSONValue? = if case .object(let object)? = error.data { object["err"] } else { nil }
        return classify(failure: failure.map(Self.text) ?? error.message, logs: error.logs)
    }

    /// The refusal a simulation's error (as JSON text) and logs amount to.
    static func classify(failure text: String, logs allLogs: [String]) -> PreflightRefusal {
        let summary = ([text] + allLogs.suffix(8)).joined(separator: "\n")
        let logs = runtimeLines(allLogs)
        if text.contains("AlreadyProcessed") { return .alreadyProcessed }
        if text.contains("BlockhashNotFound") { return .blockhashNotFound }
        if logs.contains(where: { $0.contains("already in use") }) { return .addressInUse(summary) }
        if text.contains("ComputationalBudgetExceeded") || logs.contains(where: { $0.contains("exceeded CUs meter") }) {
            return .computeBudgetExceeded(summary)
        }
        // The fee payer is the transaction's account 0; another account short of rent is the transaction's doing.
        let payerShortOfRent = text.contains("InsufficientFundsForRent") && text.contains(#""account_index":0"#)
        if text.contains("InsufficientFundsForFee") || payerShortOfRent || text.contains("AccountNotFound")
            || logs.contains(where: { $0.contains("insufficient lamports") })
        {
            return .insufficientFunds(summary)
        }
        return .other(summary)
    }

    /// The lines of a simulation's logs that the runtime and the System program wrote: every line but the `Program
    /// log:` lines of other programs, which say what those programs chose to say (the Memo program logs the job's
    /// memo, whose text is the backend's: "already in use" there is not the chain's word).
    static func runtimeLines(_ logs: [String]) -> [String] {
        let system = Substring(SystemProgram.programID.base58)
        var frames: [Substring] = []
        var lines: [String] = []
        for line in logs {
            if line.hasPrefix("Program log: ") {
                if frames.last == system { lines.append(line) }
                continue
            }
            lines.append(line)
            let words = line.split(separator: " ", maxSplits: 2)
            guard words.count == 3, words[0] == "Program" else { continue }
            if words[2].hasPrefix("invoke [") {
                frames.append(words[1])
            } else if words[2] == "success" || words[2].hasPrefix("failed") {
                if frames.last == words[1] { frames.removeLast() }
            }
        }
        return lines
    }

    /// A transaction error as the node writes it in JSON (`"BlockhashNotFound"`, `{"InstructionError":[3,{"Custom":0}]}`).
    static func text(_ value: JSONValue) -> String {
        String(decoding: value.serialized, as: UTF8.self)
    }
}
