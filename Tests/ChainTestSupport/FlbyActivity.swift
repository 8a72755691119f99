public import SolanaCore
public import SolanaRPC

/// A small FLBY of a test's own, made in Swift on the local chain (for the indexer's tests and the status page's): a
/// mint whose authority is the payer, holders' associated token accounts, and MintTo into them. Each call lands one
/// transaction and waits until it is confirmed.
public struct FlbyActivity: Sendable {
    public let rpc: SolanaRPCClient
    public let payer: Keypair
    public let mint: Keypair

    public init(rpc: SolanaRPCClient, payer: Keypair, mint: Keypair) {
        self.rpc = rpc
        self.payer = payer
        self.mint = mint
    }

    /// Funds a new payer and creates the mint (6 decimals).
    public static func create(_ rpc: SolanaRPCClient) async throws -> FlbyActivity {
        let activity = FlbyActivity(rpc: rpc, payer: Keypair.generate(), mint: Keypair.generate())
        let airdrop = try await rpc.call("requestAirdrop", [.string(activity.payer.publicKey.base58), .uint(100_000_000_000)], as: String.self)
        try await rpc.waitUntilConfirmed(try Signature(base58: airdrop))
        let rent = try await rpc.minimumBalanceForRentExemption(space: 82)
        _ = try await activity.land(
            [
                SystemProgram.createAccount(
                    from: activity.payer.publicKey, newAccount: activity.mint.publicKey, lamports: rent, space: 82,
                    owner: TokenProgram.token.programID),
                TokenProgram.token.initializeMint2(
                    mint: activity.mint.publicKey, decimals: 6, mintAuthority: activity.payer.publicKey, freezeAuthority: nil),
            ], signers: [activity.mint])
        return activity
    }

    /// The holder's associated token account of the mint.
    public func account(of holder: PublicKey) throws -> PublicKey {
        try AssociatedTokenAccountProgram.address(wallet: holder, mint: mint.publicKey)
    }

    /// Creates the holder's associated token account.
    public func open(for holder: PublicKey) async throws -> Signature {
        try await land([try AssociatedTokenAccountProgram.create(payer: payer.publicKey, wallet: holder, mint: mint.publicKey)])
    }

    /// Mints `amount` base units into the holder's associated token account.
    public func mint(_ amount: UInt64, to holder: PublicKey) async throws -> Signature {
        try await land([
            TokenProgram.token.mintTo(mint: mint.publicKey, destination: try account(of: holder), authority: payer.publicKey, amount: amount)
        ])
    }

    /// Lands `instructions`, paid and signed by the payer (and `signers`), and waits until confirmed.
    public func land(_ instructions: [Instruction], signers: [Keypair] = []) async throws -> Signature {
        let blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: blockhash)
        let transaction = try Transaction(message: .legacy(message), signers: [payer] + signers)
        let signature = try await rpc.sendTransaction(transaction, skipPreflight: true)
        try await rpc.waitUntilConfirmed(signature)
        return signature
    }

    /// The slot a landed transaction is in.
    public func slot(of signature: Signature) async throws -> UInt64 {
        guard let status = try await rpc.signatureStatuses([signature]).first ?? nil else {
            throw RPCError(.transport, "\(signature.base58) has no status")
        }
        return status.slot
    }
}
