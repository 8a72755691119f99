import Foundation
import Logging
import SolanaCore
import SolanaRPC

/// Builds and signs jobs' transactions from what the worker shares (`ChainView`: blockhash, rent, priority fee;
/// `ComputeUnitCalibration`: compute units per shape). A build costs no RPC call of its own unless a shape is new or a
/// transaction ran out of compute units (one simulation).
struct TransactionBuilder: Sendable {
    let rpc: SolanaRPCClient
    let chain: ChainView
    let calibration: ComputeUnitCalibration
    let configuration: SenderConfiguration
    let logger: Logger

    /// `order`'s transaction signed with a blockhash at most `blockhashMaxAge` old.
    func build(_ order: BuildOrder, blockhashMaxAge: Duration) async -> Result<BuiltTransaction, BuildFailure> {
        do throws(BuildFailure) {
            return .success(try await buildOrThrow(order, blockhashMaxAge: blockhashMaxAge))
        } catch {
            return .failure(error)
        }
    }

    private func buildOrThrow(_ order: BuildOrder, blockhashMaxAge: Duration) async throws(BuildFailure) -> BuiltTransaction {
        let mint = configuration.mintDerivation.keypair(forJobKey: order.idempotencyKey)
        guard mint.publicKey == order.mint else {
            throw BuildFailure.permanent(
                errorClass: "mint_mismatch", "the job's mint \(order.mint) is not the one this worker derives (\(mint.publicKey))")
        }
        let plan = order.plan
        let authority = configuration.mintAuthority
        let recent: ChainView.RecentBlockhash
        let rent: UInt64
        do {
            recent = try await chain.blockhash(maxAge: blockhashMaxAge)
            rent = try await chain.rent(space: try plan.finalMintSpace(mint: mint.publicKey, updateAuthority: authority.publicKey))
        } catch let error as RPCError {
            throw BuildFailure.transient(error.description)
        } catch {
            throw BuildFailure.permanent(errorClass: "invalid_transaction", "the transaction cannot be built: \(error)")
        }
        let price = await chain.priorityFee()
        let units: UInt64
        if order.simulateOwnUnits {
            units = try await simulatedUnits(plan, mint: mint, rent: rent, price: price)
        } else {
            let shape = TransactionShape(plan, metaplexMetadata: configuration.metaplexMetadata)
            let measurement = try await calibration.measurement(for: shape) { () async throws(BuildFailure) -> ComputeUnitCalibration.Measurement in
                // The shape's largest transaction, with the rent of its own (larger, for Token-2022) mint.
                let largest = shape.largest(of: plan)
                let largestRent: UInt64
                do {
                    largestRent = try await chain.rent(space: try largest.finalMintSpace(mint: mint.publicKey, updateAuthority: authority.publicKey))
                } catch let error as RPCError {
                    throw BuildFailure.transient(error.description)
                } catch {
                    throw BuildFailure.permanent(errorClass: "invalid_transaction", "the transaction cannot be built: \(error)")
                }
                let units = try await simulatedUnits(largest, mint: mint, rent: largestRent, price: price)
                let measurement = ComputeUnitCalibration.Measurement(units: units, bumpTries: try bumpTries(plan, mint: mint.publicKey))
                logger.info("calibrated a transaction shape", metadata: ["shape": "\(shape)", "units": "\(units)"])
                return measurement
            }
            units = measurement.units(forBumpTries: try bumpTries(plan, mint: mint.publicKey))
        }
        let limit = configuration.policy.computeUnitLimit(simulatedUnits: units)
        let transaction = try sign(plan, mint: mint, rent: rent, blockhash: recent.latest.blockhash, limit: limit, price: price)
        return BuiltTransaction(
            transaction: transaction, lastValidBlockHeight: recent.latest.lastValidBlockHeight,
            maxCost: try await maxCost(plan, transaction: transaction, mintRent: rent, limit: limit, price: price))
    }

    /// The most `transaction` can take from the payer: the mint's rent, the recipient's token account's rent (were it
    /// new), Metaplex's account and fee when on, the signature fees and the priority fee.
    private func maxCost(
        _ plan: TokenCreationPlan, transaction: Transaction, mintRent: UInt64, limit: UInt32, price: UInt64
    ) async throws(BuildFailure) -> UInt64 {
        let tokenAccountRent: UInt64
        do {
            // A Token-2022 associated token account carries the ImmutableOwner extension: 170 bytes, not 165.
            tokenAccountRent = try await chain.rent(space: plan.program == .token2022 ? 170 : TokenAccountState.length)
        } catch {
            throw BuildFailure.transient(error.description)
        }
        let metaplex: UInt64 = configuration.metaplexMetadata && plan.program == .token ? 15_000_000 : 0  // its account's rent and fee, rounded up
        let priority = (UInt64(limit).multipliedFullWidth(by: price))
        let priorityLamports = priority.high > 0 ? UInt64.max : (priority.low / 1_000_000 + 1)
        let parts = [mintRent, tokenAccountRent, metaplex, 5_000 * UInt64(transaction.signatures.count), priorityLamports]
        return parts.reduce(UInt64(0)) { total, part in
            let (sum, overflow) = total.addingReportingOverflow(part)
            return overflow ? .max : sum
        }
    }

    /// The units a simulation of `plan`'s transaction (with the most units allowed) uses. The payer's lack of funds,
    /// and anything else the simulation refuses, fails the job as the first send's preflight would.
    private func simulatedUnits(_ plan: TokenCreationPlan, mint: Keypair, rent: UInt64, price: UInt64) async throws(BuildFailure) -> UInt64 {
        // The node replaces the blockhash; any well-formed one will do.
        let placeholder = (try? Blockhash(bytes: [UInt8](repeating: 1, count: 32)))!
        let probe = try sign(plan, mint: mint, rent: rent, blockhash: placeholder, limit: SenderPolicy.maxComputeUnits, price: price)
        let simulation: SimulationResult
        do { simulation = try await rpc.simulateTransaction(probe, replaceRecentBlockhash: true) } catch {
            throw BuildFailure.transient(error.description)
        }
        guard !simulation.succeeded else { return simulation.unitsConsumed ?? UInt64(SenderPolicy.maxComputeUnits) }
        let failure = simulation.error.map(PreflightRefusal.text) ?? "unknown"
        switch PreflightRefusal.classify(failure: failure, logs: simulation.logs) {
        case .blockhashNotFound, .alreadyProcessed:
            throw BuildFailure.transient("the simulation could not run: \(failure)")
        case .addressInUse(let detail):
            throw BuildFailure.mintAddressInUse(detail)
        case .insufficientFunds(let detail):
            throw BuildFailure.permanent(
                errorClass: "insufficient_funds",
                "the fee payer \(configuration.payer.publicKey) cannot pay the fee and rent; fund it with SOL, then retry the job. The simulation: \(detail)"
            )
        case .computeBudgetExceeded(let detail), .other(let detail):
            throw BuildFailure.permanent(errorClass: "simulation_failed", "the simulation failed: \(detail)")
        }
    }

    /// How many bumps the ATA program tries for the recipient's associated token account of `mint`.
    private func bumpTries(_ plan: TokenCreationPlan, mint: PublicKey) throws(BuildFailure) -> Int {
        do {
            return ComputeUnitCalibration.Measurement.tries(
                bump: try AssociatedTokenAccountProgram.bump(wallet: plan.recipient, mint: mint, tokenProgram: plan.program.programID))
        } catch {
            throw BuildFailure.permanent(errorClass: "invalid_transaction", "the recipient's token account has no address: \(error.message)")
        }
    }

    private func sign(
        _ plan: TokenCreationPlan, mint: Keypair, rent: UInt64, blockhash: Blockhash, limit: UInt32, price: UInt64
    ) throws(BuildFailure) -> Transaction {
        do {
            return try plan.transaction(
                payer: configuration.payer, mint: mint, mintAuthority: configuration.mintAuthority, mintRentLamports: rent,
                recentBlockhash: blockhash, computeUnitLimit: limit, computeUnitPrice: price, metaplexMetadata: configuration.metaplexMetadata)
        } catch {
            throw BuildFailure.permanent(errorClass: "invalid_transaction", "the transaction cannot be built: \(error.message)")
        }
    }
}
