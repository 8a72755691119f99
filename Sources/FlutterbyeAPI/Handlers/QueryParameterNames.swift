import HummingbirdCore

/// The query parameters a route takes. A parameter it does not take, or one given more than once, is refused with a
/// 400 naming it: the generated code would ignore an unknown one and read only the first of two, so a client that meant
/// both values would get an answer to half its question.
struct QueryParameterNames: Sendable {
    let names: [String]

    init(_ names: [String]) {
        self.names = names
    }

    /// Refuses the first parameter of `parameters` (the raw query's, in order) that is unknown, else the first that
    /// is given twice.
    func check(_ parameters: FlatDictionary<Substring, Substring>) throws(APIError) {
        for (key, _) in parameters where !names.contains(String(key)) {
            let listed = names.dropLast().joined(separator: ", ") + (names.count > 1 ? " and " : "") + (names.last ?? "")
            throw APIError.invalid("unknown query parameter \(key); the parameters are \(listed)", field: String(key))
        }
        var seen: Set<Substring> = []
        for (key, _) in parameters where !seen.insert(key).inserted {
            throw APIError.invalid("query parameter \(key) is given more than once; give it once", field: String(key))
        }
    }
}
