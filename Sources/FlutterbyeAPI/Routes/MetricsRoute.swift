public import Hummingbird
public import Prometheus

/// `GET /metrics`: the process's Prometheus metrics in the text format — what swift-metrics recorded (RPC latency
/// and errors by method, job confirmation latency, rows indexed) and the gauges `StatusSampler` refreshes on its
/// timer (jobs by state, each configured address's index lag, the finalized watermark). A scrape reads nothing
/// from the database or the chain.
public struct MetricsRoute: Sendable {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func add(to router: Router<APIRequestContext>) {
        router.get("metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
