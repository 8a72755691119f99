import FlutterbyeStore
import HummingbirdCore
import Testing

@testable import FlutterbyeAPI

/// `GET /v1/jobs`'s query as `JobParametersMiddleware` reads it, and the plain form it hands the generated code: that
/// form says the same (read again, it is the same query) in characters no decoder reads differently.
@Suite struct JobListQueryTests {
    static func query(_ text: String) throws(APIError) -> JobListQuery {
        try JobListQuery(parameters: URI("/v1/jobs?\(text)").queryParameters)
    }

    @Test(arguments: ["", "state=cancelled", "limit=+5", "limit=007&cursor=j+12", "cursor=j12&state=failed&limit=500", "state=cancel%6Ced"])
    func thePlainFormIsTheSameQuery(_ text: String) throws {
        let query = try Self.query(text)
        let plain = query.canonical
        #expect(try Self.query(plain) == query, "\(text) -> \(plain)")
        #expect(plain.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "=&_".contains($0)) }, "\(plain)")
    }

    @Test func theValuesAreTheClientsWithTheDefaultLimit() throws {
        #expect(try Self.query("") == JobListQuery(state: nil, limit: nil, cursor: nil))
        let query = try Self.query("state=failed&limit=+5&cursor=j12")
        #expect(query.state == .failed && query.limit == 5 && query.before == 12)
        #expect(try Self.query("state=failed").limit == 50)
    }

    @Test func theFirstProblemInTheAPIsOrderIsTheAnswer() {
        func field(_ text: String) -> String? {
            do {
                _ = try Self.query(text)
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field("limit=0&state=sleeping&colour=red") == "colour")
        #expect(field("cursor=x&limit=0&state=sleeping") == "state")
        #expect(field("cursor=x&limit=0") == "limit")
        #expect(field("cursor=j0") == "cursor")
        #expect(field("limit=501") == "limit")
        #expect(field("state=failed&limit=5&state=failed") == "state")
        #expect(field("limit=5&colour=red&colour=blue") == "colour")
    }
}
