public import SolanaCore
public import SolanaRPC

extension SolanaRPCClient {
    /// Polls `getSignatureStatuses` every 25 ms until `signature` is confirmed (or finalized); throws after `polls`
    /// polls without it.
    public func waitUntilConfirmed(_ signature: Signature, polls: Int = 400) async throws {
        for _ in 0..<polls {
            if let status = try await signatureStatuses([signature]).first ?? nil, let level = status.confirmationStatus,
                level >= .confirmed
            {
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw RPCError(.transport, "\(signature.base58) was not confirmed in time")
    }
}
