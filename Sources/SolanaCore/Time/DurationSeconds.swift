extension Duration {
    /// The duration in seconds, fractions included (as `TimeInterval`, rates and gauges take it).
    @inlinable public var totalSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
