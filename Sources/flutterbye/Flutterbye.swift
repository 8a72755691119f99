import ArgumentParser

/// The `flutterbye` command: the Flutterbye chain worker's entry point. Later issues add `run`, `migrate`,
/// `enqueue` and `reconcile`; today it carries the key tools that show the Solana core at work.
@main
struct Flutterbye: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flutterbye",
        abstract: "Flutterbye Chain Worker: creates SPL tokens from a Postgres job queue and indexes FLBY activity.",
        subcommands: [
            WorkerCommand.self, MigrateCommand.self, EnqueueCommand.self, KeygenCommand.self, PubkeyCommand.self, MintAddressCommand.self,
            AssociatedTokenAddressCommand.self,
        ]
    )
}
