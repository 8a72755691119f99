public import SolanaCore
public import SolanaRPC

/// The keys and settings the sender works with. The keypairs and the master seed never reach logs or errors.
public struct SenderConfiguration: Sendable {
    /// Pays fees and rent; also the mint authority unless `mintAuthority` is set.
    public var payer: Keypair
    /// The mint authority of created tokens (default: the payer).
    public var mintAuthority: Keypair
    /// Derives each job's mint keypair from its idempotency key.
    public var mintDerivation: JobKeyDerivation
    public var policy: SenderPolicy
    /// How often an unconfirmed transaction is sent again (one shared schedule for all).
    public var rebroadcastInterval: Duration
    /// How often the statuses of the transactions in flight are polled (one call for all); nil: once a slot, as
    /// measured, and no faster than the RPC's request rate allows (`requestsPerSecond`).
    public var statusPollInterval: Duration?
    /// Also create Metaplex metadata for classic Token mints.
    public var metaplexMetadata: Bool
    /// The RPC's request rate limit (SOLANA_RPC_REQUESTS_PER_SECOND), which paces the polls; nil: none.
    public var requestsPerSecond: Double?
    /// When a transaction's first send goes with the preflight (FLUTTERBYE_PREFLIGHT).
    public var preflight: PreflightPolicy
    /// The node's PubSub endpoint: the transactions that mention the payer are subscribed to (`logsSubscribe`, one
    /// call for all), so each confirmation is heard at once; the status poll goes on as the source of truth. Nil:
    /// polling only.
    public var pubSub: PubSubEndpoint?
    /// The RPC's limit on sends (SOLANA_RPC_SENDS_PER_SECOND); nil: none.
    public var sendsPerSecond: Double?

    /// The sends a second the sender paces itself to: the send limit, and under a request limit 70% of it (the rest is
    /// for the status polls, the blockhash and the finalizer); nil when neither is set.
    public var sendPace: Double? {
        [sendsPerSecond, requestsPerSecond.map { $0 * 0.7 }].compactMap { $0 }.min()
    }

    public init(
        payer: Keypair, mintAuthority: Keypair? = nil, mintDerivation: JobKeyDerivation, policy: SenderPolicy = SenderPolicy(),
        rebroadcastInterval: Duration = .seconds(2), statusPollInterval: Duration? = nil, metaplexMetadata: Bool = false,
        requestsPerSecond: Double? = nil, sendsPerSecond: Double? = nil, preflight: PreflightPolicy = .whenFundsAreUncertain,
        pubSub: PubSubEndpoint? = nil
    ) {
        self.payer = payer
        self.mintAuthority = mintAuthority ?? payer
        self.mintDerivation = mintDerivation
        self.policy = policy
        self.rebroadcastInterval = rebroadcastInterval
        self.statusPollInterval = statusPollInterval
        self.metaplexMetadata = metaplexMetadata
        self.requestsPerSecond = requestsPerSecond
        self.sendsPerSecond = sendsPerSecond
        self.preflight = preflight
        self.pubSub = pubSub
    }
}
