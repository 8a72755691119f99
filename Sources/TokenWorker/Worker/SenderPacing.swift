/// How often the worker polls statuses and refreshes its blockhash: once a slot (as measured), never faster than
/// the RPC's rate limit leaves room for, as pure functions of the slot time and the limit.
public enum SenderPacing {
    /// The slot time assumed until one is measured (mainnet's).
    public static let defaultSlotTime: Duration = .milliseconds(400)

    /// The status poll interval: `configured` when set; else one slot (between 50 ms and 1 s; 200 ms until the slot
    /// time is measured, in the first second), and at least five permitted requests' time apart under a rate limit, so
    /// that sends keep most of it.
    public static func statusPollInterval(slotTime: Duration?, requestsPerSecond: Double?, configured: Duration?) -> Duration {
        if let configured { return configured }
        var interval = min(max(slotTime ?? .milliseconds(200), .milliseconds(50)), .seconds(1))
        if let rate = requestsPerSecond, rate.isFinite, rate > 0 {
            interval = max(interval, .milliseconds(Int64(min(5_000 / rate, 60_000))))
        }
        return interval
    }

    /// How often the shared blockhash (and with it the block height) is read while jobs are in flight: every 15
    /// slots (a tenth of a blockhash's life), between 200 ms and 2 s.
    public static func blockhashRefreshInterval(slotTime: Duration?) -> Duration {
        min(max((slotTime ?? defaultSlotTime) * 15, .milliseconds(200)), .seconds(2))
    }

    /// The oldest blockhash a new transaction may be signed with: two refresh intervals.
    public static func blockhashMaxAge(slotTime: Duration?) -> Duration {
        blockhashRefreshInterval(slotTime: slotTime) * 2
    }
}
