import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import Testing

/// The issuer's choices (mint, freeze and metadata update authorities, additional metadata) through the queue: Swift
/// and `enqueue_token_job` refuse the same choices with the same message, store them, read them back, and treat a
/// reused key with other choices as a conflict.
extension TokenJobQueueTests {
    static let escrow = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"
    static let website = TokenMetadataField("website", "https://flutterbye.example")

    @Test func choicesAreRefusedByEnqueueAndTheFunctionAlikeWithTheSameMessage() async throws {
        try await withQueue { queue, client in
            var cases: [(TokenJobRequest, accepted: Bool)] = []
            func variant(_ accepted: Bool, _ change: (inout TokenJobRequest) -> Void) {
                var request = Self.request("choice-\(cases.count)")
                change(&request)
                cases.append((request, accepted))
            }
            variant(true) { $0.mintAuthority = "revoke" }
            variant(true) { $0.mintAuthority = Self.escrow }
            variant(false) { $0.mintAuthority = "Keep" }
            variant(false) { $0.mintAuthority = "o'neil" }
            variant(false) { $0.mintAuthority = "11111111111111111111111111111111" }
            variant(true) { $0.freezeAuthority = "ours" }
            variant(true) { $0.freezeAuthority = Self.escrow }
            variant(false) { $0.freezeAuthority = "revoke" }
            variant(false) { $0.freezeAuthority = "11111111111111111111111111111111" }
            variant(true) { $0.metadataUpdateAuthority = "none" }
            variant(true) { $0.metadataUpdateAuthority = "ours" }
            variant(true) { $0.metadataUpdateAuthority = Self.escrow }
            variant(false) { $0.metadataUpdateAuthority = "keep" }
            variant(false) { $0.metadataUpdateAuthority = "11111111111111111111111111111111" }
            variant(false) {
                $0.tokenProgram = "token"
                $0.metadataUpdateAuthority = "ours"
            }
            variant(true) { $0.additionalMetadata = [Self.website, TokenMetadataField("twitter", "@flutterbye")] }
            variant(false) { $0.additionalMetadata = [TokenMetadataField("", "x")] }
            variant(false) { $0.additionalMetadata = [Self.website, TokenMetadataField("k", "v"), TokenMetadataField("k", "w"), Self.website] }
            variant(false) { $0.additionalMetadata = [TokenMetadataField("big", String(repeating: "v", count: 1230))] }
            variant(false) { $0.additionalMetadata = [TokenMetadataField("about", String(repeating: "v", count: 500))] }
            variant(false) {
                $0.tokenProgram = "token"
                $0.additionalMetadata = [Self.website]
            }
            variant(false) {  // several bad choices: the first, in the function's order, is named
                $0.freezeAuthority = "x"
                $0.mintAuthority = "y"
            }
            for (request, accepted) in cases {
                try await Self.expectEnqueueAgreesWithTheFunction(request, accepted: accepted, queue: queue, client: client)
            }
            let tooLarge = try await Self.functionRefusal(cases[19].0, on: client)
            #expect(
                tooLarge?.hasPrefix("invalid name, symbol, uri, memo, additional_metadata: together they make the job's transaction ") == true,
                "\(tooLarge ?? "accepted")")
            let classic = try await Self.functionRefusal(cases[14].0, on: client)
            #expect(classic?.contains("a classic token (token_program token) has no Token-2022 metadata") == true, "\(classic ?? "accepted")")
        }
    }

    @Test func choicesAreStoredAndAReusedKeyWithOtherChoicesIsAConflict() async throws {
        try await withQueue { queue, client in
            var chosen = Self.request("chosen")
            chosen.mintAuthority = "revoke"
            chosen.freezeAuthority = Self.escrow
            chosen.metadataUpdateAuthority = "none"
            chosen.additionalMetadata = [Self.website, TokenMetadataField("twitter", "@flutterbye")]
            let first = try await queue.enqueue(chosen)
            let job = try await queue.job(id: first.jobID)
            #expect(job.request.mintAuthority == "revoke" && job.request.freezeAuthority == Self.escrow)
            #expect(job.request.metadataUpdateAuthority == "none")
            #expect(job.request.additionalMetadata == chosen.additionalMetadata, "in the order given")
            #expect(job.request == chosen.withScheduledAt(job.request.scheduledAt))
            #expect(try await queue.enqueue(chosen).jobID == first.jobID)
            // Through the backend's statement too.
            #expect(try await Self.functionRefusal(chosen, on: client) == nil)

            var others: [TokenJobRequest] = []
            for change in [
                { (r: inout TokenJobRequest) in r.mintAuthority = "keep" }, { $0.freezeAuthority = "ours" }, { $0.metadataUpdateAuthority = "ours" },
                { $0.additionalMetadata.reverse() }, { $0.additionalMetadata.removeLast() },
            ] {
                var other = chosen
                change(&other)
                others.append(other)
            }
            for other in others {
                do {
                    _ = try await queue.enqueue(other)
                    Issue.record("other choices under the same key: \(other)")
                } catch let error as StoreError {
                    #expect(error.code == .idempotencyConflict, "\(error)")
                }
                let refusal = try await Self.functionRefusal(other, on: client)
                #expect(refusal?.contains("is already used by job \(first.jobID) with different parameters") == true, "\(refusal ?? "accepted")")
            }

            // Today's choices: a Token-2022 job's metadata update authority is stored as ours, named or not; a classic
            // job has none. Either way the key gives the same job back.
            let plain = try await queue.enqueue(Self.request("plain"))
            let stored = try await queue.job(id: plain.jobID).request
            #expect(stored.mintAuthority == "keep" && stored.freezeAuthority == "none" && stored.additionalMetadata.isEmpty)
            #expect(stored.metadataUpdateAuthority == "ours")
            var named = Self.request("plain")
            named.metadataUpdateAuthority = "ours"
            #expect(try await queue.enqueue(named).jobID == plain.jobID)
            #expect(try await Self.functionRefusal(named, on: client) == nil)
            var classic = Self.request("classic")
            classic.tokenProgram = "token"
            let classicJob = try await queue.job(id: try await queue.enqueue(classic).jobID)
            #expect(classicJob.request.metadataUpdateAuthority == nil)
            #expect(
                try await TestDatabase.count(
                    "SELECT count(*)::int8 FROM flutterbye.token_jobs WHERE additional_metadata IS NULL AND idempotency_key IN ('plain', 'classic')",
                    on: client) == 2)
        }
    }
}
