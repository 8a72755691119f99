import ArgumentParser

/// The `flutterbye` command: the Flutterbye chain worker's entry point: the token worker, the indexer, reconciliation,
/// the database and job tools, and the key tools that show the Solana core at work.
@main
struct Flutterbye: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flutterbye",
        abstract: "Flutterbye Chain Worker: creates SPL tokens from a Postgres job queue and indexes FLBY activity.",
        subcommands: [
            RunCommand.self, ConfigCommand.self, WorkerCommand.self, IndexCommand.self, ReconcileCommand.self, MigrateCommand.self, EnqueueCommand.self, KeygenCommand.self, PubkeyCommand.self, MintAddressCommand.self,
            AssociatedTokenAddressCommand.self,
        ]
    )
}
