import FlutterbyeStore
import Foundation
import HTTPTypes
import SolanaCore
import SolanaRPC

/// The body of `POST /v1/jobs`, read member by member so that a refusal names every bad field at once: a missing
/// or mistyped member, an unknown one, and then every rule of `enqueue_token_job` the values break.
enum JobSubmission {
    static let members = Set([
        "idempotency_key", "token_program", "decimals", "name", "symbol", "uri", "amount", "recipient", "memo", "priority",
        "scheduled_at", "max_attempts",
    ]).union(IssuerChoicesSubmission.members)

    /// The job request in `body`, with the idempotency key from the body or the `Idempotency-Key` header (both may
    /// be given when they agree; `idempotencyHeaders` are the header's values, one at most), checked by the queue's
    /// rules; throws a 400 `APIError` listing every problem.
    static func request(body: [UInt8], idempotencyHeaders: [String] = []) throws(APIError) -> CheckedTokenJobRequest {
        // Not read with replacement characters: two keys that differ would become one, and names would change.
        guard String(validating: body, as: UTF8.self) != nil else {
            throw APIError.invalid("the body is not UTF-8 text")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(body) } catch {
            throw APIError.invalid("the body is not JSON: \(error.message)")
        }
        guard case .object(let object) = value else {
            throw APIError.invalid("the body must be a JSON object with the job's fields")
        }
        var problems: [APIError.FieldProblem] = []
        var summary: [String] = []
        func problem(_ field: String, _ message: String) {
            problems.append(.init(field: field, message: message))
            summary.append("\(field): \(message)")
        }

        // Each unknown member named up to a few, the rest counted, the known fields said once: a refusal stays small
        // whatever the body holds.
        let unknown = object.keys.filter { !members.contains($0) }.sorted()
        for key in unknown.prefix(Self.unknownMembersNamed) { problem(key, "unknown field") }
        if unknown.count > Self.unknownMembersNamed {
            problem(unknown[Self.unknownMembersNamed], "unknown field, as are \(unknown.count - Self.unknownMembersNamed - 1) more")
        }
        if !unknown.isEmpty { summary.append("the fields are \(members.sorted().joined(separator: ", "))") }
        func string(_ key: String, required: Bool) -> String? {
            switch object[key] {
            case .string(let text) where text.utf8.contains(0):
                problem(key, "must not contain NUL characters")
                return nil
            case .string(let text): return text
            case nil, .null?:
                if required { problem(key, "is required (a string)") }
                return nil
            default:
                problem(key, "must be a string")
                return nil
            }
        }
        func integer(_ key: String, default fallback: Int?) -> Int? {
            switch object[key] {
            case .int(let number)?:
                return Int(number)
            case .uint?:
                // Named here; a value in range stands in for it, so that the other values' rules are still checked.
                problem(key, "is out of range")
                return fallback ?? 0
            case nil, .null?:
                if fallback == nil { problem(key, "is required (an integer)") }
                return fallback
            default:
                problem(key, "must be an integer")
                return nil
            }
        }

        var key = string("idempotency_key", required: false)
        if idempotencyHeaders.count > 1 {
            // Joined, they would be one key that neither order asked for.
            problem("idempotency_key", "send one Idempotency-Key header, not \(idempotencyHeaders.count)")
        } else if let header = idempotencyHeaders.first, header.unicodeScalars.contains("\u{FFFD}") {
            // The server reads a header's bytes that are not UTF-8 as U+FFFD: different keys would name one job.
            problem("idempotency_key", "the Idempotency-Key header is not UTF-8 text; send the key as UTF-8, or in the body")
        } else if let header = idempotencyHeaders.first {
            // Compared byte for byte, as the queue compares keys (String's == calls canonically equivalent text equal).
            if let key, !key.utf8.elementsEqual(header.utf8) {
                problem("idempotency_key", "the Idempotency-Key header and the body's idempotency_key differ")
            }
            key = key ?? header
        }
        if key == nil, object["idempotency_key"] == nil || object["idempotency_key"] == .null {
            problem("idempotency_key", "is required: in the body or in an Idempotency-Key header")
        }
        let tokenProgram = string("token_program", required: false) ?? "token"
        let decimals = integer("decimals", default: nil)
        let name = string("name", required: true)
        let symbol = string("symbol", required: true)
        let uri = string("uri", required: true)
        var amount: String?
        switch object["amount"] {
        case .string(let text)?: amount = text
        case .int(let number)? where number >= 0: amount = String(number)
        case .uint(let number)?: amount = String(number)
        case nil, .null?: problem("amount", "is required (base units, as a string of digits)")
        default: problem("amount", "must be a whole number of base units (a string of digits, or a non-negative integer)")
        }
        let recipient = string("recipient", required: true)
        let memo = string("memo", required: false)
        let priority = integer("priority", default: 0)
        let maxAttempts = integer("max_attempts", default: 25)
        var scheduledAt: Date?
        if let text = string("scheduled_at", required: false) {
            scheduledAt = RFC3339Timestamp.date(from: text)
            if scheduledAt == nil { problem("scheduled_at", "must be an RFC 3339 timestamp, such as 2026-01-31T12:00:00Z") }
        }
        let choices = IssuerChoicesSubmission(object, problem: problem)

        // The values' rules are checked whenever every value is there with its type, even beside an unknown field.
        if let key, let decimals, let name, let symbol, let uri, let amount, let recipient, let priority,
            let maxAttempts
        {
            let request = choices.applied(
                to: TokenJobRequest(
                    idempotencyKey: key, tokenProgram: tokenProgram, decimals: decimals, name: name, symbol: symbol, uri: uri,
                    amount: amount, recipient: recipient, memo: memo, priority: priority, scheduledAt: scheduledAt,
                    maxAttempts: maxAttempts))
            do {
                let checked = try CheckedTokenJobRequest(request)
                if problems.isEmpty { return checked }
            } catch {
                for refusal in error.refusals {
                    guard refusal.fields.count > 1 else {
                        problem(refusal.field, refusal.reason)
                        continue
                    }
                    // A rule the fields break together (the transaction's size): each of them named, the reason said once.
                    for field in refusal.fields { problems.append(.init(field: field, message: "\(refusal.field): \(refusal.reason)")) }
                    summary.append("\(refusal.field): \(refusal.reason)")
                }
            }
        }
        throw APIError(.badRequest, code: "invalid_job", "the job was not enqueued: \(summary.joined(separator: "; "))", fields: problems)
    }

    /// How many unknown members a refusal names; it counts the others.
    static let unknownMembersNamed = 10
}
