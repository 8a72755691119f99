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
            throw BuildFailure.permanent(errorClass: "mint_mismatch", "the job's mint \(order.mint) is not the one this worker derives (\(mint.publicKey))")
        }
        let plan = order.plan, authority = configuration.mintAuthority
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
            units = try await calibration.units(for: shape) { () async throws(BuildFailure) -> UInt64 in
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
                logger.info("calibrated a transaction shape", metadata: ["shape": "\(shape)", "units": "\(units)"])
                return units
            }
        }
        let limit = configuration.policy.computeUnitLimit(simulatedUnits: units)
        let transaction = try sign(plan, mint: mint, rent: rent, blockhash: recent.latest.blockhash, limit: limit, price: price)
        return BuiltTransaction(transaction: transaction, lastValidBlockHeight: recent.latest.lastValidBlockHeight)
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
                "the fee payer \(configuration.payer.publicKey) cannot pay the fee and rent; fund it with SOL, then retry the job. The simulation: \(detail)")
        case .computeBudgetExceeded(let detail), .other(let detail):
            throw BuildFailure.permanent(errorClass: "simulation_failed", "the simulation failed: \(detail)")
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
