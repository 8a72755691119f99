import FlutterbyeStore

extension TokenJobQueue {
    /// Polls job `key` until `done` holds for its state (at most `seconds`); every state seen, in order.
    func statesSeen(ofJob key: String, seconds: Double = 120, until done: (TokenJobState) -> Bool) async throws -> [TokenJobState] {
        var seen: [TokenJobState] = []
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let state = try await job(idempotencyKey: key)?.state {
                if seen.last != state { seen.append(state) }
                if done(state) { break }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        return seen
    }
}
