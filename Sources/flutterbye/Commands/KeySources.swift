import ArgumentParser
import Foundation
import SolanaCore

/// Loads the keypairs and seeds the commands need from files and environment variables, turning every failure
/// into a message that says which source is wrong (never what the secret is).
enum KeySources {
    /// Reads a Solana CLI keypair file (`[12,34,...]`).
    static func keypair(file path: String) throws -> Keypair {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CommandFailure("cannot read the keypair file \(path): \(error.localizedDescription)")
        }
        do { return try Keypair(solanaKeypairJSON: text) } catch {
            throw CommandFailure("the keypair file \(path) is not usable: \(error.message)")
        }
    }

    /// The fee payer from `--keypair`, else `SOLANA_PRIVATE_KEY` (base58 or a JSON array).
    static func payer(keypairPath: String?) throws -> Keypair {
        if let keypairPath { return try keypair(file: keypairPath) }
        guard let value = ProcessInfo.processInfo.environment["SOLANA_PRIVATE_KEY"], !value.isEmpty else {
            throw CommandFailure("no keypair: pass --keypair FILE or set SOLANA_PRIVATE_KEY (base58 secret key or a [..] JSON array)")
        }
        do {
            return value.trimmingCharacters(in: .whitespaces).hasPrefix("[")
                ? try Keypair(solanaKeypairJSON: value) : try Keypair(base58SecretKey: value)
        } catch {
            throw CommandFailure("SOLANA_PRIVATE_KEY is not usable: \(error.message)")
        }
    }

    /// The job-key master seed from `FLUTTERBYE_MASTER_SEED` (hex, at least 32 bytes).
    static func masterSeed() throws -> JobKeyDerivation {
        guard let hex = ProcessInfo.processInfo.environment["FLUTTERBYE_MASTER_SEED"], !hex.isEmpty else {
            throw CommandFailure("FLUTTERBYE_MASTER_SEED is not set: it holds at least 32 bytes of secret randomness as hex (e.g. `openssl rand -hex 32`)")
        }
        let digits = Array(hex.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard digits.count % 2 == 0, digits.allSatisfy({ (48...57).contains($0) || (97...102).contains($0 | 0x20) }) else {
            throw CommandFailure("FLUTTERBYE_MASTER_SEED must be hex digits (an even number of 0-9, a-f)")
        }
        var bytes: [UInt8] = []
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        for i in stride(from: 0, to: digits.count, by: 2) { bytes.append(nibble(digits[i]) << 4 | nibble(digits[i + 1])) }
        do { return try JobKeyDerivation(masterSeed: bytes) } catch {
            throw CommandFailure("FLUTTERBYE_MASTER_SEED is not usable: \(error.message)")
        }
    }

    static func publicKey(_ text: String, name: String) throws -> PublicKey {
        do { return try PublicKey(base58: text) } catch { throw CommandFailure("\(name): \(error.message)") }
    }
}
