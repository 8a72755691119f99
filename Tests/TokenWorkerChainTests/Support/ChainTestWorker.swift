import FlutterbyeStore
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import TokenWorker

/// The chain tests' token worker: short backoffs, rebroadcasts every 150 ms, statuses polled every 40 ms, claims
/// every 100 ms, so that a job on the local chain's short slots finishes within a test's patience.
enum ChainTestWorker {
    static func sender(payer: Keypair, mintAuthority: Keypair? = nil, derivation: JobKeyDerivation) -> SenderConfiguration {
        SenderConfiguration(
            payer: payer, mintAuthority: mintAuthority, mintDerivation: derivation,
            policy: SenderPolicy(initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200)), rebroadcastInterval: .milliseconds(150),
            statusPollInterval: .milliseconds(40))
    }

    static func service(
        client: PostgresClient, rpc: SolanaRPCClient, sender: SenderConfiguration, workerID: String, maxInFlight: Int, logger: Logger
    ) -> TokenWorkerService {
        TokenWorkerService(
            client: client, rpc: rpc, sender: sender, workerID: workerID,
            options: .init(maxInFlight: maxInFlight, lease: .seconds(30), pollInterval: .milliseconds(100), maintenanceInterval: .milliseconds(200)),
            logger: logger)
    }
}

extension TokenJobQueue {
    /// Job `id` once it is confirmed, finalized, failed or cancelled, or as it is when `patience` runs out.
    func finishedJob(_ id: Int64, patience: Duration) async throws -> TokenJob {
        var job = try await job(id: id)
        let deadline = ContinuousClock.now + patience
        while ![.confirmed, .finalized, .failed, .cancelled].contains(job.state) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            job = try await self.job(id: id)
        }
        return job
    }
}
