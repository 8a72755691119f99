import ArgumentParser
import NIOCore
import NIOPosix

/// Starts the `flutterbye` command with Swift concurrency running on NIO's event loops, where the database, RPC and
/// HTTP connections live, so that an `await` on one of them resumes without a hop to another thread pool.
@main
enum FlutterbyeEntry {
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Flutterbye.main()
    }
}

/// The `flutterbye` command: the Flutterbye chain worker's entry point: the token worker, the indexer, reconciliation,
/// the database and job tools, and the key tools that show the Solana core at work.
struct Flutterbye: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flutterbye",
        abstract: "Flutterbye Chain Worker: creates SPL tokens from a Postgres job queue and indexes FLBY activity.",
        subcommands: [
            RunCommand.self, ConfigCommand.self, WorkerCommand.self, IndexCommand.self, ReconcileCommand.self, MigrateCommand.self,
            EnqueueCommand.self, KeygenCommand.self, PubkeyCommand.self, MintAddressCommand.self,
            AssociatedTokenAddressCommand.self,
        ]
    )
}
