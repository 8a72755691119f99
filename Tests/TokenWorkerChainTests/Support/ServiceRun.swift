import Logging
import ServiceLifecycle

/// Runs services in a `ServiceGroup` while a test's body runs, then shuts them down gracefully (also when the body
/// throws, whose error wins).
enum ServiceRun {
    static func running(_ services: [any Service], logger: Logger, _ body: @Sendable () async throws -> Void) async throws {
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do { try await body() } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
