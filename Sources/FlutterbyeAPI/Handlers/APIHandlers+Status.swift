import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import OpenAPIRuntime
import SolanaCore
import SolanaRPC

/// `GET /v1/index` (each configured address's cursor and its lag behind the chain, the finalized watermark, the recent
/// FLBY movements) and `GET /v1/stats` (jobs by state, the oldest waiting job, confirmation latency and success over
/// the last hour and minute by minute, the RPC's error rate).
extension APIHandlers {
    /// The lag of an address is how far the chain's confirmed slot is past the address's newest indexed signature;
    /// an address with nothing new is caught up however old its last signature, which the lag cannot tell apart
    /// from falling behind, so `updated_at` (the last cursor move) is shown beside it.
    func getIndex(_ input: Operations.GetIndex.Input) async throws -> Operations.GetIndex.Output {
        async let slots = chainSlots()
        let (index, events, database) = (self.index, self.events, self.database)
        let figures = try await readings.index {
            try await database.run {
                async let recent = events.recent(kinds: [.flbyMovement], limit: Self.recentMovements)
                let status = try await index.status()
                return StatusReadings.IndexFigures(status: status, recentMovements: try await recent)
            }
        }
        let (status, recent) = (figures.status, figures.recentMovements)
        let chain = await slots
        let addresses = try status.addresses.map { address in
            guard let role = Components.Schemas.IndexReport.AddressesPayloadPayload.RolePayload(rawValue: address.role.rawValue) else {
                throw UndocumentedValue(description: "the configured address \(address.address) has the role \(address.role.rawValue)")
            }
            return Components.Schemas.IndexReport.AddressesPayloadPayload(
                address: address.address, role: role, newestSignature: .init(address.newestSignature), newestSlot: .init(address.newestSlot),
                lagSlots: .init(chain.map { Self.lag(chainSlot: $0.confirmed, newestSlot: address.newestSlot) }),
                signaturesSeen: address.signaturesSeen, updatedAt: .init(address.updatedAt))
        }
        let report = Components.Schemas.IndexReport(
            chainSlot: .init(chain?.confirmed), finalizedSlot: .init(chain?.finalized), newestIndexedSlot: .init(status.newestIndexedSlot),
            finalizedWatermark: .init(status.finalizedWatermark), discoveredAccounts: status.discoveredAccounts, addresses: addresses,
            recentMovements: try recent.map(Self.movement))
        return .ok(.init(body: .json(report)))
    }

    /// How many recent FLBY movements `GET /v1/index` shows.
    static let recentMovements = 20

    /// A `flby_movement` event's data as the document's `FlbyMovementEvent` (the same members the stream sends).
    static func movement(_ event: LoggedEvent) throws -> Components.Schemas.FlbyMovementEvent {
        do {
            return try JSONDecoder().decode(Components.Schemas.FlbyMovementEvent.self, from: Data(event.payloadJSON.utf8))
        } catch {
            throw UndocumentedValue(description: "the flby_movement event \(event.cursor) does not have the documented members: \(error)")
        }
    }

    /// The readers of the chain's confirmed and finalized slots (`ChainSlotReader`, shared by every request).
    typealias SlotReaders = (confirmed: ChainSlotReader, finalized: ChainSlotReader)

    /// The chain's slots (confirmed and finalized), nil when the RPC cannot be asked now.
    func chainSlots() async -> (confirmed: UInt64, finalized: UInt64)? {
        guard let readers = slotReaders else { return nil }
        async let confirmed = readers.confirmed.slot()
        async let finalized = readers.finalized.slot()
        guard let confirmed = await confirmed, let finalized = await finalized else { return nil }
        return (confirmed, finalized)
    }

    /// How far the chain's confirmed slot is past an address's newest indexed slot (all of it when nothing is
    /// indexed; none when the index is ahead of the node asked).
    static func lag(chainSlot: UInt64, newestSlot: UInt64?) -> UInt64 {
        chainSlot - min(chainSlot, newestSlot ?? 0)
    }

    /// The minutes of `GET /v1/stats`' record by minute: the last hour.
    static let chartMinutes = 60

    func getStats(_ input: Operations.GetStats.Input) async throws -> Operations.GetStats.Output {
        let window = Duration.seconds(3600)
        let (queue, database) = (self.queue, self.database)
        let figures = try await readings.queue {
            try await database.run {
                async let counts = queue.countsByState()
                async let waiting = queue.oldestWaitingJobAge()
                async let minutes = queue.minutes(count: Self.chartMinutes)
                let statistics = try await queue.statistics(window: window)
                return StatusReadings.QueueFigures(
                    counts: try await counts, statistics: statistics, oldestWaiting: try await waiting, minutes: try await minutes)
            }
        }
        let (counts, statistics, waiting, minutes) = (figures.counts, figures.statistics, figures.oldestWaiting, figures.minutes)
        var byState: [String: Int] = [:]
        for state in TokenJobState.allCases { byState[state.rawValue] = 0 }
        for (state, count) in counts { byState[state.rawValue] = count }
        let tally = RPCRequestTally.current
        let stats = Components.Schemas.Stats(
            jobs: .init(
                byState: .init(additionalProperties: byState), windowSeconds: Int(window.components.seconds), confirmed: statistics.confirmed,
                failed: statistics.failed, successRate: .init(statistics.successRate),
                confirmationP50Seconds: .init(statistics.confirmationMedianSeconds),
                confirmationP95Seconds: .init(statistics.confirmationP95Seconds),
                oldestWaitingSeconds: waiting.totalSeconds,
                minutes: minutes.map {
                    .init(
                        start: $0.start, confirmed: $0.confirmed, failed: $0.failed, confirmationP50Seconds: .init($0.confirmationMedianSeconds),
                        confirmationP95Seconds: .init($0.confirmationP95Seconds))
                }),
            rpc: .init(
                requests: tally.requests, failedRequests: tally.failedRequests, errorAnswers: tally.errorAnswers,
                errorRate: .init(tally.requests == 0 ? nil : Double(tally.failedRequests) / Double(tally.requests))))
        return .ok(.init(body: .json(stats)))
    }
}
