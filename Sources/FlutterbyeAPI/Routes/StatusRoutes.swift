public import FlutterbyeIndexer
public import FlutterbyeStore
import Foundation
public import Hummingbird
public import SolanaRPC

/// `GET /v1/index` (each configured address's cursor and its lag behind the chain, the finalized watermark) and
/// `GET /v1/stats` (jobs by state, confirmation latency and success over the last hour, the RPC's error rate).
public struct StatusRoutes: Sendable {
    let queue: TokenJobQueue
    let index: IndexStore
    let rpc: SolanaRPCClient?
    let database: DatabaseGate

    init(queue: TokenJobQueue, index: IndexStore, rpc: SolanaRPCClient?, database: DatabaseGate) {
        self.queue = queue
        self.index = index
        self.rpc = rpc
        self.database = database
    }

    public func add(to reads: RouterGroup<APIRequestContext>) {
        reads.get("index") { _, _ in try JobRoutes.json(try await indexReport()) }
        reads.get("stats") { _, _ in try JobRoutes.json(try await statsReport()) }
    }

    /// The chain's slots (confirmed and finalized), nil when the RPC cannot be asked now.
    func chainSlots() async -> (confirmed: UInt64, finalized: UInt64)? {
        guard let rpc else { return nil }
        async let confirmed = try? rpc.slot(commitment: .confirmed)
        async let finalized = try? rpc.slot(commitment: .finalized)
        guard let confirmed = await confirmed, let finalized = await finalized else { return nil }
        return (confirmed, finalized)
    }

    struct IndexReport: Encodable {
        struct Address: Encodable {
            var address: String
            var role: String
            var newestSignature: String?
            var newestSlot: UInt64?
            var lagSlots: UInt64?
            var signaturesSeen: Int
            var updatedAt: Date?

            enum CodingKeys: String, CodingKey {
                case address, role
                case newestSignature = "newest_signature"
                case newestSlot = "newest_slot"
                case lagSlots = "lag_slots"
                case signaturesSeen = "signatures_seen"
                case updatedAt = "updated_at"
            }

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(address, forKey: .address)
                try c.encode(role, forKey: .role)
                try c.encode(newestSignature, forKey: .newestSignature)
                try c.encode(newestSlot, forKey: .newestSlot)
                try c.encode(lagSlots, forKey: .lagSlots)
                try c.encode(signaturesSeen, forKey: .signaturesSeen)
                try c.encode(updatedAt, forKey: .updatedAt)
            }
        }
        var chainSlot: UInt64?
        var finalizedSlot: UInt64?
        var newestIndexedSlot: UInt64?
        var finalizedWatermark: UInt64?
        var discoveredAccounts: Int
        var addresses: [Address]

        enum CodingKeys: String, CodingKey {
            case chainSlot = "chain_slot"
            case finalizedSlot = "finalized_slot"
            case newestIndexedSlot = "newest_indexed_slot"
            case finalizedWatermark = "finalized_watermark"
            case discoveredAccounts = "discovered_accounts"
            case addresses
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(chainSlot, forKey: .chainSlot)
            try c.encode(finalizedSlot, forKey: .finalizedSlot)
            try c.encode(newestIndexedSlot, forKey: .newestIndexedSlot)
            try c.encode(finalizedWatermark, forKey: .finalizedWatermark)
            try c.encode(discoveredAccounts, forKey: .discoveredAccounts)
            try c.encode(addresses, forKey: .addresses)
        }
    }

    /// The lag of an address is how far the chain's confirmed slot is past the address's newest indexed signature;
    /// an address with nothing new is caught up however old its last signature, which the lag cannot tell apart
    /// from falling behind, so `updated_at` (the last cursor move) is shown beside it.
    func indexReport() async throws -> IndexReport {
        async let slots = chainSlots()
        let index = self.index
        let status = try await database.run { try await index.status() }
        let chain = await slots
        return IndexReport(
            chainSlot: chain?.confirmed, finalizedSlot: chain?.finalized, newestIndexedSlot: status.newestIndexedSlot,
            finalizedWatermark: status.finalizedWatermark, discoveredAccounts: status.discoveredAccounts,
            addresses: status.addresses.map { address in
                IndexReport.Address(
                    address: address.address, role: address.role.rawValue, newestSignature: address.newestSignature,
                    newestSlot: address.newestSlot,
                    lagSlots: chain.map { Self.lag(chainSlot: $0.confirmed, newestSlot: address.newestSlot) },
                    signaturesSeen: address.signaturesSeen, updatedAt: address.updatedAt)
            })
    }

    /// How far the chain's confirmed slot is past an address's newest indexed slot (all of it when nothing is
    /// indexed; none when the index is ahead of the node asked).
    static func lag(chainSlot: UInt64, newestSlot: UInt64?) -> UInt64 {
        chainSlot - min(chainSlot, newestSlot ?? 0)
    }

    struct StatsReport: Encodable {
        struct Jobs: Encodable {
            var byState: [String: Int]
            var windowSeconds: Int64
            var confirmed: Int
            var failed: Int
            var successRate: Double?
            var confirmationP50Seconds: Double?
            var confirmationP95Seconds: Double?

            enum CodingKeys: String, CodingKey {
                case byState = "by_state"
                case windowSeconds = "window_seconds"
                case confirmed, failed
                case successRate = "success_rate"
                case confirmationP50Seconds = "confirmation_p50_seconds"
                case confirmationP95Seconds = "confirmation_p95_seconds"
            }

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(byState, forKey: .byState)
                try c.encode(windowSeconds, forKey: .windowSeconds)
                try c.encode(confirmed, forKey: .confirmed)
                try c.encode(failed, forKey: .failed)
                try c.encode(successRate, forKey: .successRate)
                try c.encode(confirmationP50Seconds, forKey: .confirmationP50Seconds)
                try c.encode(confirmationP95Seconds, forKey: .confirmationP95Seconds)
            }
        }
        struct RPC: Encodable {
            var requests: Int
            var failedRequests: Int
            var errorAnswers: Int
            var errorRate: Double?

            enum CodingKeys: String, CodingKey {
                case requests
                case failedRequests = "failed_requests"
                case errorAnswers = "error_answers"
                case errorRate = "error_rate"
            }

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(requests, forKey: .requests)
                try c.encode(failedRequests, forKey: .failedRequests)
                try c.encode(errorAnswers, forKey: .errorAnswers)
                try c.encode(errorRate, forKey: .errorRate)
            }
        }
        var jobs: Jobs
        var rpc: RPC
    }

    func statsReport() async throws -> StatsReport {
        let window = Duration.seconds(3600)
        let queue = self.queue
        let (counts, statistics) = try await database.run {
            async let counts = queue.countsByState()
            let statistics = try await queue.statistics(window: window)
            return (try await counts, statistics)
        }
        var byState: [String: Int] = [:]
        for state in TokenJobState.allCases { byState[state.rawValue] = 0 }
        for (state, count) in counts { byState[state.rawValue] = count }
        let tally = RPCRequestTally.current
        return StatsReport(
            jobs: .init(
                byState: byState, windowSeconds: window.components.seconds, confirmed: statistics.confirmed, failed: statistics.failed,
                successRate: statistics.successRate, confirmationP50Seconds: statistics.confirmationMedianSeconds,
                confirmationP95Seconds: statistics.confirmationP95Seconds),
            rpc: .init(
                requests: tally.requests, failedRequests: tally.failedRequests, errorAnswers: tally.errorAnswers,
                errorRate: tally.requests == 0 ? nil : Double(tally.failedRequests) / Double(tally.requests)))
    }
}
