import FlutterbyeStore
public import Hummingbird
public import Prometheus

/// `GET /metrics`: the process's Prometheus metrics in the text format — what swift-metrics recorded (RPC latency
/// and errors by method, job confirmation latency, rows indexed) and, read at each scrape, jobs by state and each
/// configured address's index lag.
public struct MetricsRoute: Sendable {
    let registry: PrometheusCollectorRegistry
    let status: StatusRoutes

    public init(registry: PrometheusCollectorRegistry, status: StatusRoutes) {
        self.registry = registry
        self.status = status
    }

    public func add(to router: Router<APIRequestContext>) {
        router.get("metrics") { _, _ in
            await refresh()
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// Sets the gauges read from the database and the chain; what cannot be read now keeps its last value.
    func refresh() async {
        if let counts = try? await status.queue.countsByState() {
            for state in TokenJobState.allCases {
                registry.makeGauge(name: "flutterbye_jobs", labels: [("state", state.rawValue)], help: "Token jobs by state")
                    .set(Double(counts[state] ?? 0))
            }
        }
        if let report = try? await status.indexReport() {
            for address in report.addresses {
                if let lag = address.lagSlots {
                    registry.makeGauge(
                        name: "flutterbye_index_lag_slots", labels: [("role", address.role), ("address", address.address)],
                        help: "Slots between the chain's confirmed slot and the newest indexed signature of a configured address"
                    ).set(Double(lag))
                }
            }
            if let watermark = report.finalizedWatermark {
                registry.makeGauge(name: "flutterbye_index_finalized_watermark_slot", help: "Every indexed transaction at or below this slot is finalized or dropped")
                    .set(Double(watermark))
            }
        }
    }
}
