import Foundation
import SolanaCore

extension TokenJobRequest {
    /// The largest amount a job may mint: `u64::MAX` base units, as `enqueue_token_job` checks it.
    static let maximumAmount = "18446744073709551615"

    /// Checks the request by the rules of `flutterbye.enqueue_token_job` (schema.sql), in the same order and with the
    /// same messages, so that a refusal reads the same whichever way the job came in. Throws `invalidJob` naming the
    /// first bad field. Whatever this lets through is still checked by the database (the function and the table's
    /// constraints).
    public func validate() throws(StoreError) {
        if let (field, reason) = firstInvalidField() {
            throw StoreError(.invalidJob, "invalid \(field): \(reason); nothing was enqueued", field: field)
        }
    }

    /// The first field that `enqueue_token_job` would refuse, with the reason it gives.
    func firstInvalidField() -> (field: String, reason: String)? {
        invalidFields().first
    }

    /// Every field that `enqueue_token_job` would refuse, in the order it checks them, each with the reason it gives:
    /// what an API answers, so that a client fixes all of them at once.
    public func invalidFields() -> [(field: String, reason: String)] {
        var invalid: [(field: String, reason: String)] = []
        // PostgreSQL's length() counts characters (code points), octet_length() UTF-8 bytes.
        let keyLength = idempotencyKey.unicodeScalars.count
        if keyLength < 1 || keyLength > 200 {
            invalid.append(("idempotency_key", "it must be 1 to 200 characters"))
        }
        if tokenProgram != "token" && tokenProgram != "token-2022" {
            invalid.append(("token_program", "\(tokenProgram) is not token or token-2022"))
        }
        if !(0...9).contains(decimals) {
            invalid.append(("decimals", "\(decimals) is not between 0 and 9"))
        }
        if name.utf8.count > 32 {
            invalid.append(("name", "it must be at most 32 bytes (UTF-8), it has \(name.utf8.count)"))
        }
        if symbol.utf8.count > 10 {
            invalid.append(("symbol", "it must be at most 10 bytes (UTF-8), it has \(symbol.utf8.count)"))
        }
        if uri.utf8.count > 200 {
            invalid.append(("uri", "it must be at most 200 bytes (UTF-8), it has \(uri.utf8.count)"))
        }
        let digits = amount.utf8
        if digits.isEmpty || digits.count > 20 || !digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            invalid.append(("amount", "\(Self.quoteLiteral(amount)) is not a whole number of base units (digits only)"))
        } else if Self.exceedsMaximumAmount(amount) {
            invalid.append(("amount", "\(amount) does not fit in 64 bits (at most \(Self.maximumAmount))"))
        }
        if !Self.isSolanaAddress(recipient) {
            invalid.append(("recipient", "\(Self.quoteLiteral(recipient)) is not a base58 Solana address"))
        }
        if let memo, memo.utf8.count > 500 {
            invalid.append(("memo", "it must be at most 500 bytes, it has \(memo.utf8.count)"))
        }
        if !(-100...100).contains(priority) {
            invalid.append(("priority", "\(priority) is not between -100 and 100"))
        }
        if !(1...1000).contains(maxAttempts) {
            invalid.append(("max_attempts", "\(maxAttempts) is not between 1 and 1000"))
        }
        return invalid
    }

    /// Whether decimal digits (1 to 20 of them, leading zeros allowed) name a number above u64::MAX.
    static func exceedsMaximumAmount(_ digits: String) -> Bool {
        let significant = String(digits.drop { $0 == "0" })
        // Digit strings of one length compare as numbers.
        return significant.count == maximumAmount.count ? significant > maximumAmount : significant.count > maximumAmount.count
    }

    /// `flutterbye.is_solana_address`: 32 to 44 base58 characters that decode to exactly 32 bytes.
    static func isSolanaAddress(_ text: String) -> Bool {
        guard (32...44).contains(text.utf8.count), text.utf8.allSatisfy({ $0 < 0x80 }),
            let bytes = try? Base58.decode(text)
        else { return false }
        return bytes.count == 32
    }

    /// PostgreSQL's `quote_literal`: single quotes doubled; with a backslash, backslashes doubled and an `E` prefix.
    static func quoteLiteral(_ text: String) -> String {
        let quoted = text.replacingOccurrences(of: "'", with: "''")
        guard text.contains("\\") else { return "'\(quoted)'" }
        return "E'\(quoted.replacingOccurrences(of: "\\", with: "\\\\"))'"
    }
}
