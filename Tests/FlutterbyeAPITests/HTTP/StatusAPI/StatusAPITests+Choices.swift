import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SolanaCore
import Testing

/// `POST /v1/jobs` with the issuer's choices and `GET /v1/jobs/{id}` showing them: 201 with the choices stored, 400
/// naming a bad choice (its type or its value) and the fields of a transaction too large, 409 for the same key with
/// other choices; a job without choices shows today's.
extension StatusAPITests {
    static let escrow = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"

    /// A Token-2022 job body with `choices` (JSON members, without braces) added.
    static func choicesBody(_ key: String, _ choices: String, program: String = "token-2022") -> ByteBuffer {
        ByteBuffer(
            string: """
                {"idempotency_key": "\(key)", "token_program": "\(program)", "decimals": 6, "name": "Choice", "symbol": "CHO",
                 "uri": "https://flutterbye.example/choice.json", "amount": "1000", "recipient": "\(recipient)", \(choices)}
                """)
    }

    static func fields(_ response: TestResponse) throws -> [String] {
        let fields = try #require((try object(response)["error"] as? [String: Any])?["fields"] as? [[String: String]])
        return fields.compactMap { $0["field"] }
    }

    @Test func choicesAreEnqueuedAndShownWithTheJob() async throws {
        try await withAPI { http, queue in
            let choices = """
                "mint_authority": "revoke", "freeze_authority": "\(Self.escrow)", "metadata_update_authority": "none",
                "additional_metadata": [["website", "https://flutterbye.example"], ["twitter", "@flutterbye"]]
                """
            let created = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.choicesBody("chosen", choices))
            #expect(created.status == .created)
            let id = try #require(try Self.object(created)["id"] as? Int)
            let stored = try await queue.job(id: Int64(id)).request
            #expect(stored.mintAuthority == "revoke" && stored.freezeAuthority == Self.escrow && stored.metadataUpdateAuthority == "none")
            #expect(
                stored.additionalMetadata == [
                    TokenMetadataField("website", "https://flutterbye.example"), TokenMetadataField("twitter", "@flutterbye"),
                ])
            try await http.execute(uri: "/v1/jobs/\(id)", method: .get, headers: Self.auth) { (response: TestResponse) async throws in
                let job = try Self.object(response)
                #expect(job["mint_authority"] as? String == "revoke" && job["freeze_authority"] as? String == Self.escrow)
                #expect(job["metadata_update_authority"] as? String == "none")
                #expect(job["additional_metadata"] as? [[String]] == [["website", "https://flutterbye.example"], ["twitter", "@flutterbye"]])
                #expect(job["name"] as? String == "Choice" && job["id"] as? Int == id, "the job's other members are still there")
            }
            // The same request again: the same job; other choices under the key: 409.
            let again = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.choicesBody("chosen", choices))
            #expect(again.status == .ok)
            let other = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.choicesBody("chosen", #""mint_authority": "keep""#))
            #expect(other.status == .conflict)

            // Without choices: today's, shown as such (a classic token has no metadata update authority).
            let plain = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("plain"))
            let plainJob = try Self.object(plain)
            #expect(plainJob["mint_authority"] as? String == "keep" && plainJob["freeze_authority"] as? String == "none")
            #expect(plainJob["metadata_update_authority"] as? String == "ours" && plainJob["additional_metadata"] as? [Any] != nil)
            #expect((plainJob["additional_metadata"] as? [Any])?.isEmpty == true)
            let classic = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(),
                body: Self.choicesBody("classic", #""mint_authority": null, "freeze_authority": "ours""#, program: "token"))
            #expect(classic.status == .created)
            #expect(try Self.object(classic)["metadata_update_authority"] is NSNull)
            #expect(try Self.object(classic)["mint_authority"] as? String == "keep")
        }
    }

    @Test func badChoicesAreRefusedWith400NamingThem() async throws {
        try await withAPI { http, queue in
            func post(_ key: String, _ choices: String, program: String = "token-2022") async throws -> TestResponse {
                try await http.execute(
                    uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.choicesBody(key, choices, program: program))
            }
            let wrongTypes = try await post("types", #""mint_authority": 1, "additional_metadata": {"website": "x"}"#)
            #expect(wrongTypes.status == .badRequest)
            #expect(try Self.fields(wrongTypes) == ["mint_authority", "additional_metadata"])
            let notPairs = try await post("pairs", #""additional_metadata": [["website", "x", "y"]]"#)
            #expect(try Self.fields(notPairs) == ["additional_metadata"])
            let values = try await post("values", #""mint_authority": "forever", "freeze_authority": "11111111111111111111111111111111""#)
            #expect(try Self.fields(values) == ["mint_authority", "freeze_authority"])
            #expect(try Self.error(values).message.contains("'forever' is not keep, revoke or a base58 Solana address"))
            let classic = try await post("classic", #""additional_metadata": [["website", "x"]]"#, program: "token")
            #expect(try Self.fields(classic) == ["additional_metadata"])
            #expect(try Self.error(classic).message.contains("has no Token-2022 metadata"))
            // Additional metadata that cannot fit in the job's transaction: each field of its variable part named.
            let tooLarge = try await post("too-large", #""additional_metadata": [["about", "\#(String(repeating: "a", count: 900))"]]"#)
            #expect(tooLarge.status == .badRequest)
            #expect(try Self.fields(tooLarge) == ["name", "symbol", "uri", "additional_metadata"])
            #expect(try Self.error(tooLarge).message.contains("more than Solana's limit of 1232"))
            #expect(try await queue.jobs(state: nil, limit: 10, before: nil).isEmpty, "a refused request writes nothing")
        }
    }
}
