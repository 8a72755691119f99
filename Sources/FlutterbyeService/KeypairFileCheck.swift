import Foundation
import SolanaCore

/// What the service makes of a keypair file's permission bits before it starts: a file whose mode cannot be read is
/// refused on every cluster (the check fails closed); one that group or others may read or write is refused in
/// production mode and warned about elsewhere. Pure: the caller reads the mode.
public enum KeypairFileCheck {
    /// The verdict on one file.
    public enum Verdict: Sendable, Hashable {
        case fine
        /// The service may run, but the operator should fix this.
        case warning(String)
        /// The service must not run.
        case refusal(String)
    }

    /// The variables that name a keypair file (the worker's); MAINNET_MINT_AUTHORITY does when it is not key text.
    public static let variables = ["SOLANA_KEYPAIR_PATH", "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH", "MAINNET_MINT_AUTHORITY"]

    /// Whether a value that may hold a key or a file's path holds a key: a `[..]` JSON array, or base58 text as long
    /// as a 64-byte secret key's (a path has a character base58 lacks, such as `/` or `.`, or is shorter).
    public static func isKeyText(_ text: String) -> Bool {
        text.hasPrefix("[") || (text.count >= 64 && (try? Base58.decode(text)) != nil)
    }

    /// The problem of a key put where `source` (a variable or an option) wants a keypair file's path; the key is
    /// not shown.
    public static func keyInsteadOfPath(_ source: String) -> String {
        "\(source) looks like a secret key itself (not shown), not the path of a keypair file: give the path of a Solana CLI keypair file, or the key in the variable meant for it"
    }

    /// The verdict on the keypair file at `path`, named by `variable`, whose mode was read as `mode`.
    public static func verdict(variable: String, path: String, mode: Result<Int, FileModeError>, production: Bool) -> Verdict {
        switch mode {
        case .failure(let error):
            return .refusal(
                "\(variable): the mode of the keypair file \(path) cannot be read (\(error.reason)); make sure the file exists and that this user may read its attributes"
            )
        case .success(let bits) where bits & 0o077 != 0:
            let shown = String(bits & 0o777, radix: 8)
            if production {
                return .refusal(
                    "\(variable): the keypair file \(path) is readable or writable by group or others (mode \(shown)); run chmod 600 \(path)")
            }
            return .warning(
                "\(variable): the keypair file \(path) is readable or writable by group or others (mode \(shown)); run chmod 600 \(path) (production mode refuses it)"
            )
        case .success:
            return .fine
        }
    }

    /// A file's permission bits, by `stat` (through FileManager).
    public static func fileMode(_ path: String) -> Result<Int, FileModeError> {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            return .failure(FileModeError(reason: error.localizedDescription))
        }
        guard let mode = attributes[.posixPermissions] as? NSNumber else {
            return .failure(FileModeError(reason: "the file system reports no permission bits"))
        }
        return .success(mode.intValue)
    }
}

/// Why a file's permission bits could not be read.
public struct FileModeError: Error, Sendable, Hashable {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}
