import ArgumentParser
import FlutterbyeService
import Foundation
import SolanaCore

/// Loads the keypairs and seeds the commands need from files and environment variables (`ServiceEnvironment`, read as
/// set), turning every failure into a message that says which source is wrong (never what the secret is).
enum KeySources {
    /// Reads a Solana CLI keypair file (`[12,34,...]`).
    static func keypair(file path: String) throws -> Keypair {
        guard !KeypairFileCheck.isKeyText(path) else { throw CommandFailure(KeypairFileCheck.keyInsteadOfPath("the keypair file option")) }
        let text: String
        do { text = try ConfigurationFile.text(atPath: path) } catch {
            throw CommandFailure("cannot read the keypair file: \(error)")
        }
        do { return try Keypair(solanaKeypairJSON: text) } catch {
            throw CommandFailure("the keypair file \(path) is not usable: \(error.message)")
        }
    }

    /// The fee payer from `--keypair`, else `SOLANA_PRIVATE_KEY` (base58 or a JSON array).
    static func payer(keypairPath: String?) throws -> Keypair {
        if let keypairPath { return try keypair(file: keypairPath) }
        guard let value = ServiceEnvironment.process.valueAsSet("SOLANA_PRIVATE_KEY"), !value.isEmpty else {
            throw CommandFailure("no keypair: pass --keypair FILE or set SOLANA_PRIVATE_KEY (base58 secret key or a [..] JSON array)")
        }
        do {
            return try Keypair(secretKeyText: value)
        } catch {
            throw CommandFailure("SOLANA_PRIVATE_KEY is not usable: \(error.message)")
        }
    }

    /// The job-key master seed from `FLUTTERBYE_MASTER_SEED` (hex, at least 32 bytes).
    static func masterSeed() throws -> JobKeyDerivation {
        guard let hex = ServiceEnvironment.process.valueAsSet("FLUTTERBYE_MASTER_SEED"), !hex.isEmpty else {
            throw CommandFailure(
                "FLUTTERBYE_MASTER_SEED is not set: it holds at least 32 bytes of secret randomness as hex (e.g. `openssl rand -hex 32`)")
        }
        do { return try JobKeyDerivation(masterSeedHex: hex) } catch {
            throw CommandFailure("FLUTTERBYE_MASTER_SEED is not usable: \(error.message)")
        }
    }

    static func publicKey(_ text: String, name: String) throws -> PublicKey {
        do { return try PublicKey(base58: text) } catch { throw CommandFailure("\(name): \(error.message)") }
    }
}
