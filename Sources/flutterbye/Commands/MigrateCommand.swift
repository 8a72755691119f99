import ArgumentParser
import FlutterbyeStore
import Logging

/// `flutterbye migrate`: applies the whole schema this binary carries (`schema.sql`) to the database, even when it is
/// the one applied last (a start skips it then). Idempotent.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the whole database schema (schema.sql, built into the binary); safe to run again.",
        discussion: "Every start applies the schema too, unless the database has this very script already (it records its digest).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = Logger(label: "flutterbye.migrate")
        let configuration = try database.configuration()
        do {
            try await SchemaMigrator.bundled().apply(to: configuration, logger: logger, always: true)
        } catch {
            throw CommandFailure(error.message)
        }
        print("schema applied to \(configuration)")
    }
}
