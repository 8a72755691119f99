import ArgumentParser
import FlutterbyeService

/// `flutterbye run`: the whole service in one process — the indexer, the token worker and the status API, each of
/// which a flag can switch off — until SIGTERM or SIGINT, which shut all of them down gracefully.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the indexer, the token worker and the status API in one process until SIGTERM or SIGINT.",
        discussion: """
            Reads the configuration of every part that runs from the environment (see `flutterbye worker --help`, \
            `flutterbye index --help` and the README), reports every problem at once, applies the schema, then starts \
            them. The status API needs API_TOKEN; FLUTTERBYE_API_HOST (default 127.0.0.1) and FLUTTERBYE_API_PORT \
            (default 8080) say where it listens.
            """)

    @Flag(name: .customLong("no-indexer"), help: "Do not run the indexer.")
    var noIndexer = false
    @Flag(name: .customLong("no-worker"), help: "Do not run the token worker.")
    var noWorker = false
    @Flag(name: .customLong("no-api"), help: "Do not run the status API.")
    var noAPI = false

    func run() async throws {
        try await ServiceLauncher(parts: ServiceParts(indexer: !noIndexer, worker: !noWorker, api: !noAPI), loggerLabel: "flutterbye").run()
    }
}
