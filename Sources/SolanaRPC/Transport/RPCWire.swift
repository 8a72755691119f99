import Foundation
import SolanaCore

/// One JSON-RPC 2.0 call, written as JSON by hand (`JSONValue.serialized`).
struct RPCRequest {
    /// A call's parameters: values, or their JSON array already written (the indexer's `getTransaction` calls, by
    /// the thousand, skip building and serializing a tree for each).
    enum Params {
        case values([JSONValue])
        case serialized([UInt8])
    }

    let id: Int
    let method: String
    let params: Params

    init(id: Int, method: String, params: [JSONValue]) {
        self.init(id: id, method: method, params: .values(params))
    }

    init(id: Int, method: String, params: Params) {
        self.id = id
        self.method = method
        self.params = params
    }

    var serialized: Data {
        var out: [UInt8] = []
        append(to: &out)
        return Data(out)
    }

    static func serialized(_ requests: [RPCRequest]) -> Data {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, request) in requests.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            request.append(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }

    func append(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        out.append(contentsOf: String(id).utf8)
        out.append(contentsOf: #","method":"#.utf8)
        JSONValue.serialize(string: method, into: &out)
        out.append(contentsOf: #","params":"#.utf8)
        switch params {
        case .values(let values): JSONValue.array(values).serialize(into: &out)
        case .serialized(let bytes): out.append(contentsOf: bytes)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// One JSON-RPC reply, as `Decodable` reads it: whether it had a `result` member at all is kept, since JSON-RPC 2.0
/// requires exactly one of `result` and `error`.
struct RPCResponse<Result: Decodable>: Decodable {
    let id: Int?
    let result: Result?
    let hasResult: Bool
    let error: RPCErrorBody?

    private enum Keys: String, CodingKey { case id, result, error }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = try container.decodeIfPresent(Int.self, forKey: .id)
        hasResult = container.contains(.result)
        result = try container.decodeIfPresent(Result.self, forKey: .result)
        error = try container.decodeIfPresent(RPCErrorBody.self, forKey: .error)
    }

    /// The reply's result (nil: a null result), or its error; a reply with both, or neither, is `invalidResponse`.
    func outcome(method: String) -> Swift.Result<Result?, RPCError> {
        if let error {
            guard result == nil else { return .failure(RPCReply.both(method)) }
            return .failure(error.rpcError(method: method))
        }
        guard hasResult else { return .failure(RPCReply.neither(method)) }
        return .success(result)
    }
}

/// The errors for a reply that breaks JSON-RPC 2.0's shape.
enum RPCReply {
    static func both(_ method: String) -> RPCError {
        RPCError(.invalidResponse, "the answer to \(method) has both a result and an error: the node or a proxy in between is broken")
    }

    static func neither(_ method: String) -> RPCError {
        RPCError(.invalidResponse, "the answer to \(method) has neither a result nor an error")
    }

    static func several(_ method: String) -> RPCError {
        RPCError(.invalidResponse, "the batch answer has several replies to \(method) (a duplicated id): none of them is used")
    }

    static func none(_ method: String) -> RPCError {
        RPCError(.invalidResponse, "the batch answer has no reply to \(method)")
    }
}

struct RPCErrorBody: Decodable {
    let code: Int
    let message: String
    let data: JSONValue?

    /// The most characters of a node's error message an `RPCError` keeps.
    static let messageLimit = 1_000

    func rpcError(method: String) -> RPCError {
        RPCMetrics.errorAnswered(method)
        // A node's own words, bounded: they go into every log line and job error that names this one.
        let message = ErrorText.bounded(message, limit: Self.messageLimit)
        return RPCError(.rpc, "\(method) failed: \(message) (JSON-RPC error \(code))", rpcCode: code, data: data)
    }

    /// The error a parsed JSON-RPC reply carries, as `rpcError` makes it; nil when it carries none.
    static func error(in answer: JSONValue, method: String) -> RPCError? {
        guard let error = answer["error"], error != .null else { return nil }
        if let result = answer["result"], result != .null { return RPCReply.both(method) }
        guard case .int(let code)? = error["code"], case .string(let message)? = error["message"] else {
            return RPCError(.invalidResponse, "the answer to \(method) has a malformed error")
        }
        return RPCErrorBody(code: Int(code), message: message, data: error["data"]).rpcError(method: method)
    }
}
