import Foundation

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

struct RPCResponse<Result: Decodable>: Decodable {
    let id: Int?
    let result: Result?
    let error: RPCErrorBody?
}

struct RPCErrorBody: Decodable {
    let code: Int
    let message: String
    let data: JSONValue?

    func rpcError(method: String) -> RPCError {
        RPCMetrics.errorAnswered(method)
        return RPCError(.rpc, "\(method) failed: \(message) (JSON-RPC error \(code))", rpcCode: code, data: data)
    }

    /// The error a parsed JSON-RPC reply carries, as `rpcError` makes it; nil when it carries none.
    static func error(in answer: JSONValue, method: String) -> RPCError? {
        guard let error = answer["error"], error != .null else { return nil }
        guard case .int(let code)? = error["code"], case .string(let message)? = error["message"] else {
            return RPCError(.invalidResponse, "the answer to \(method) has a malformed error")
        }
        return RPCErrorBody(code: Int(code), message: message, data: error["data"]).rpcError(method: method)
    }
}
