public import SolanaCore

/// A job request that passed the rules of `flutterbye.enqueue_token_job` once, with what the worker builds from it
/// parsed (program, amount, recipient, the issuer's choices): what `TokenJobQueue.enqueue` takes, so that no path
/// checks a request twice.
public struct CheckedTokenJobRequest: Sendable, Hashable {
    /// The request as the queue stores it.
    public let request: TokenJobRequest
    /// Its typed form.
    public let plan: TokenCreationPlan

    /// Checks `request`; throws every rule it breaks, in the order the function checks them.
    public init(_ request: TokenJobRequest) throws(TokenJobRefusals) {
        let refusals = request.invalidFields()
        guard refusals.isEmpty else { throw TokenJobRefusals(refusals: refusals) }
        do {
            plan = try request.parsedPlan()
        } catch {
            throw TokenJobRefusals(refusals: [TokenJobRefusal(fields: [error.field ?? "job"], reason: error.message)])
        }
        self.request = request
    }

    public static func == (lhs: CheckedTokenJobRequest, rhs: CheckedTokenJobRequest) -> Bool { lhs.request == rhs.request }

    public func hash(into hasher: inout Hasher) { hasher.combine(request) }
}

/// The rules a job request breaks, each with the reason `enqueue_token_job` gives (at least one).
public struct TokenJobRefusals: Error, Sendable, Hashable {
    public let refusals: [TokenJobRefusal]

    /// The first refusal as the queue throws it: `invalidJob` naming its field.
    public func storeError(suffix: String = "") -> StoreError {
        let first = refusals.first ?? TokenJobRefusal(fields: ["job"], reason: "refused")
        return StoreError(.invalidJob, first.message + suffix, field: first.field)
    }
}
