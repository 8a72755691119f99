/// Counts finished rounds for the polling loop.
actor AsyncCounter {
    private var count = 0
    func add() { count += 1 }
    func take() -> Int {
        defer { count = 0 }
        return count
    }
}
