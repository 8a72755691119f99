import Foundation
public import SolanaCore

extension TokenJobRequest {
    /// The largest amount a job may mint: `u64::MAX` base units, as `enqueue_token_job` checks it.
    static let maximumAmount = "18446744073709551615"

    /// Checks the request by the rules of `flutterbye.enqueue_token_job` (schema.sql), in the same order and with the
    /// same messages, so that a refusal reads the same whichever way the job came in. Throws `invalidJob` naming the
    /// first bad field (or fields, for a rule they break together). Whatever this lets through is still checked by the
    /// database (the function and the table's constraints).
    public func checked() throws(StoreError) -> CheckedTokenJobRequest {
        do {
            return try CheckedTokenJobRequest(self)
        } catch {
            throw error.storeError(suffix: "; nothing was enqueued")
        }
    }

    /// The job in typed form, what the worker builds its transaction from (a job read back from the database, which
    /// the worker does not take on trust): the request checked by the queue's rules, then parsed. Throws `invalidJob`
    /// naming the first bad field.
    public func plan() throws(StoreError) -> TokenCreationPlan {
        do {
            return try CheckedTokenJobRequest(self).plan
        } catch {
            throw error.storeError()
        }
    }

    /// The typed form of a request whose fields passed `invalidFields()`.
    func parsedPlan() throws(StoreError) -> TokenCreationPlan {
        let program: TokenProgram = tokenProgram == "token" ? .token : .token2022
        guard let amount = UInt64(amount), let recipient = try? PublicKey(base58: recipient) else {
            throw StoreError(.invalidJob, "invalid amount or recipient: \(Self.quoteLiteral(self.amount)), \(Self.quoteLiteral(self.recipient))")
        }
        guard let choices = issuerChoices() else { throw StoreError(.invalidJob, "invalid authority choices") }
        do {
            return try TokenCreationPlan(
                program: program, decimals: UInt8(clamping: decimals), name: name, symbol: symbol, uri: uri, amount: amount, recipient: recipient,
                memo: memo, choices: choices)
        } catch {
            throw StoreError(.invalidJob, error.message)
        }
    }

    /// Every rule of `enqueue_token_job` the request breaks, in the order it checks them, each with the reason it gives:
    /// what an API answers, so that a client fixes all of them at once.
    public func invalidFields() -> [TokenJobRefusal] {
        var invalid: [TokenJobRefusal] = []
        // PostgreSQL's length() counts characters (code points), octet_length() UTF-8 bytes.
        let keyLength = idempotencyKey.unicodeScalars.count
        if keyLength < 1 || keyLength > 200 {
            invalid.append(.init("idempotency_key", "it must be 1 to 200 characters"))
        }
        if tokenProgram != "token" && tokenProgram != "token-2022" {
            invalid.append(.init("token_program", "\(tokenProgram) is not token or token-2022"))
        }
        if !(0...9).contains(decimals) {
            invalid.append(.init("decimals", "\(decimals) is not between 0 and 9"))
        }
        if name.utf8.count > 32 {
            invalid.append(.init("name", "it must be at most 32 bytes (UTF-8), it has \(name.utf8.count)"))
        }
        if symbol.utf8.count > 10 {
            invalid.append(.init("symbol", "it must be at most 10 bytes (UTF-8), it has \(symbol.utf8.count)"))
        }
        if uri.utf8.count > 200 {
            invalid.append(.init("uri", "it must be at most 200 bytes (UTF-8), it has \(uri.utf8.count)"))
        }
        let digits = amount.utf8
        if digits.isEmpty || digits.count > 20 || !digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            invalid.append(.init("amount", "\(Self.quoteLiteral(amount)) is not a whole number of base units (digits only)"))
        } else if Self.exceedsMaximumAmount(amount) {
            invalid.append(.init("amount", "\(amount) does not fit in 64 bits (at most \(Self.maximumAmount))"))
        }
        if !Self.isSolanaAddress(recipient) {
            invalid.append(.init("recipient", "\(Self.shownAddress(recipient)) is not a base58 Solana address"))
        } else if recipient == Self.zeroAddress {
            invalid.append(
                .init(
                    "recipient",
                    "\(Self.zeroAddress) is the all-zero address, which nobody can sign for: give the wallet that is to hold the tokens"))
        }
        if let memo, memo.utf8.count > 500 {
            invalid.append(.init("memo", "it must be at most 500 bytes, it has \(memo.utf8.count)"))
        }
        invalid += choiceRefusals()
        if let refusal = transactionSizeRefusal() {
            invalid.append(refusal)
        }
        if !(-100...100).contains(priority) {
            invalid.append(.init("priority", "\(priority) is not between -100 and 100"))
        }
        if !(1...1000).contains(maxAttempts) {
            invalid.append(.init("max_attempts", "\(maxAttempts) is not between 1 and 1000"))
        }
        return invalid
    }

    /// `enqueue_token_job`'s size rule: the transaction of the job as the largest worker configuration builds it
    /// (`TokenCreationSize`, `flutterbye.token_job_transaction_size`) must fit in Solana's 1232 bytes. The refusal names
    /// the fields that make up its variable part (those not empty, and the choices that add instructions or bytes). Nil
    /// when the job fits, or when the token program, name, symbol, URI, memo or a choice is refused on its own (the
    /// function checks those first).
    func transactionSizeRefusal() -> TokenJobRefusal? {
        let program: TokenProgram
        switch tokenProgram {
        case "token": program = .token
        case "token-2022": program = .token2022
        default: return nil
        }
        guard (memo?.utf8.count ?? 0) <= 500, choiceRefusals().isEmpty, let choices = issuerChoices(),
            (try? TokenCreationSize.fits(program: program, name: name, symbol: symbol, uri: uri, memo: memo, choices: choices)) == false,
            let size = try? TokenCreationSize.largest(program: program, name: name, symbol: symbol, uri: uri, memo: memo, choices: choices)
        else { return nil }
        let fields =
            [("name", name), ("symbol", symbol), ("uri", uri), ("memo", memo ?? "")].filter { !$0.1.isEmpty }.map(\.0) + choiceFieldsAddingBytes
        let limit = TokenCreationSize.limit
        return TokenJobRefusal(
            fields: fields,
            reason:
                "\(fields.count > 1 ? "together they make" : "it makes") the job's transaction \(size) bytes, \(size - limit) more than Solana's limit of \(limit)"
        )
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

    /// `flutterbye.shown_address`: a value given as an address as a refusal shows it, quoted, unless it looks like a
    /// secret key (base58 text of 45 characters or more, or a keypair file's JSON array), which is not shown.
    static func shownAddress(_ text: String) -> String {
        let looksLikeASecretKey =
            (text.utf8.count >= 45 && Base58.hasOnlyDigits(text))
            || text.utf8.drop(while: { [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains($0) }).first == UInt8(ascii: "[")
        return looksLikeASecretKey ? "a value that looks like a secret key (not shown)" : quoteLiteral(text)
    }

    /// PostgreSQL's `quote_literal`: single quotes doubled; with a backslash, backslashes doubled and an `E` prefix.
    static func quoteLiteral(_ text: String) -> String {
        let quoted = text.replacingOccurrences(of: "'", with: "''")
        guard text.contains("\\") else { return "'\(quoted)'" }
        return "E'\(quoted.replacingOccurrences(of: "\\", with: "\\\\"))'"
    }
}

/// A rule of `flutterbye.enqueue_token_job` a job request breaks: the field at fault (several for a rule they break
/// together, such as the transaction's size) and the reason the function gives.
public struct TokenJobRefusal: Sendable, Hashable {
    /// The fields at fault, in the order the request has them.
    public var fields: [String]
    public var reason: String

    public init(fields: [String], reason: String) {
        self.fields = fields
        self.reason = reason
    }

    init(_ field: String, _ reason: String) {
        self.init(fields: [field], reason: reason)
    }

    /// The fields as the function names them: `name`, or `name, symbol, uri, memo`.
    public var field: String { fields.joined(separator: ", ") }

    /// The function's message: `invalid <field>: <reason>`.
    public var message: String { "invalid \(field): \(reason)" }
}
