import Foundation
import SolanaCore
import Testing

/// The Anchor event decoder against data encoded by another implementation (`Vectors/anchor_events.py`: the
/// `construct` library's layouts, solders' keys, hashlib's discriminators), under both IDL formats.
@Suite struct AnchorEventDecoderTests {
    struct Case: Decodable {
        var name: String
        var data: String
        var event: String?
        var fields: JSONValue?
        var unknown: Bool?
        var undecodable: String?
    }

    struct Vectors: Decodable {
        var idls: [String: JSONValue]
        var cases: [Case]
    }

    static let vectors: Vectors = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/anchor_events.json")
        do {
            return try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
        } catch {
            fatalError("Vectors/anchor_events.json does not read (run Vectors/anchor_events.py): \(error)")
        }
    }()

    static func decoder(_ format: String) throws -> AnchorEventDecoder {
        let idl = try #require(vectors.idls[format])
        return AnchorEventDecoder(idl: try AnchorIDL(json: try JSONEncoder().encode(idl)))
    }

    /// JSON text with sorted keys: 9 read from a file is `.int(9)`, decoded from a u8 it is `.uint(9)`.
    static func text(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test(arguments: ["anchor-0.30", "legacy"])
    func everyCaseDecodesAsTheReferenceEncodedIt(format: String) throws {
        let decoder = try Self.decoder(format)
        #expect(decoder.idl.events.map(\.name) == ["TokenMinted", "FeePaid"])
        #expect(Self.vectors.cases.count >= 12)
        for vector in Self.vectors.cases {
            let decoded = decoder.decode(hexBytes(vector.data))
            if let event = vector.event, let fields = vector.fields {
                guard case .event(let name, let got) = decoded else {
                    Issue.record("\(vector.name): \(decoded)")
                    continue
                }
                #expect(name == event, "\(vector.name)")
                #expect(try Self.text(got) == Self.text(fields), "\(vector.name)")
            } else if vector.unknown == true {
                #expect(decoded == .unknown, "\(vector.name): \(decoded)")
            } else if let name = vector.undecodable {
                guard case .undecodable(let got, let reason) = decoded else {
                    Issue.record("\(vector.name): \(decoded)")
                    continue
                }
                #expect(got == name && !reason.isEmpty, "\(vector.name)")
            }
        }
    }

    @Test func bothFormatsGiveTheSameEvents() throws {
        let new = try Self.decoder("anchor-0.30").idl
        let old = try Self.decoder("legacy").idl
        #expect(new.events == old.events)
    }

    @Test func aTypeThatContainsItselfEndsInAnError() throws {
        let idl = AnchorIDL(
            events: [AnchorIDL.Event(name: "Loop", discriminator: Array(repeating: 1, count: 8), fields: .tuple([.defined("Loop")]))],
            types: ["Loop": .structure(.tuple([.defined("Loop")]))])
        let decoded = AnchorEventDecoder(idl: idl).decode(Array(repeating: 1, count: 8))
        guard case .undecodable(_, let reason) = decoded else {
            Issue.record("\(decoded)")
            return
        }
        #expect(reason.contains("deeper"))
    }

    @Test func aVectorOfEmptyStructsIsBoundedByValuesNotBytes() throws {
        let idl = AnchorIDL(
            events: [AnchorIDL.Event(name: "Many", discriminator: Array(repeating: 2, count: 8), fields: .tuple([.vec(.defined("Empty"))]))],
            types: ["Empty": .structure(.tuple([]))])
        let decoded = AnchorEventDecoder(idl: idl).decode(Array(repeating: 2, count: 8) + [255, 255, 255, 255])
        guard case .undecodable(_, let reason) = decoded else {
            Issue.record("\(decoded)")
            return
        }
        #expect(reason.contains("100000"))
    }

    @Test(arguments: [
        "not json", "[]", #"{"instructions": [], "events": 3}"#, #"{"instructions": [], "events": [{"name": "A", "discriminator": [1, 2]}]}"#,
        #"{"instructions": [], "events": [{"name": "A"}]}"#,
        #"{"instructions": [], "events": [{"name": "A", "fields": [{"name": "x", "type": 7}]}]}"#,
        #"{"instructions": [], "types": [{"name": "T", "type": {"kind": "struct", "fields": 1}}]}"#,
        // Any JSON object was an IDL without events: a file of another kind (package.json, a keypair's
        // neighbour) gave an indexer that decodes nothing, silently.
        "{}", #"{"name": "flutterbye", "version": "1.0.0"}"#, #"{"instructions": {}}"#,
        #"{"instructions": [], "address": "not-an-address"}"#, #"{"instructions": [], "metadata": {"address": 7}}"#,
    ])
    func anIDLThatDoesNotReadIsRefusedWithItsReason(text: String) {
        #expect {
            try AnchorIDL(json: Data(text.utf8))
        } throws: { error in
            (error as? SolanaCoreError)?.code == .invalidIDL && "\(error)".contains("target/idl")
        }
    }

    /// The program an IDL is for, where the file says it: `address` (Anchor 0.30 and later) or `metadata.address`
    /// (older IDLs, written by `anchor deploy`).
    @Test func theIDLNamesItsProgramWhereTheFileSaysIt() throws {
        let program = try Keypair(seed: [UInt8](repeating: 3, count: 32)).publicKey
        #expect(try Self.decoder("anchor-0.30").idl.programID?.base58 == "HdLWn1jF8x9px7L4yCLb3LiLmRhp6ZGvAG41Kxt8PbDM")
        #expect(try Self.decoder("legacy").idl.programID == nil)
        let legacy = #"{"instructions": [], "metadata": {"address": "\#(program.base58)"}}"#
        #expect(try AnchorIDL(json: Data(legacy.utf8)).programID == program)
    }

    @Test func typesThisReaderDoesNotDecodeKeepTheEventRaw() throws {
        let text = #"""
            {"instructions": [], "events": [{"name": "Wide", "fields": [{"name": "x", "type": "u256"}]}, {"name": "Generic", "fields": [{"name": "g", "type": {"defined": {"name": "G", "generics": [{"kind": "type", "type": "u8"}]}}}]}]}
            """#
        let decoder = AnchorEventDecoder(idl: try AnchorIDL(json: Data(text.utf8)))
        for event in decoder.idl.events {
            let decoded = decoder.decode(event.discriminator + [UInt8](repeating: 0, count: 40))
            guard case .undecodable(let name, let reason) = decoded else {
                Issue.record("\(decoded)")
                continue
            }
            #expect(name == event.name && reason.contains("not decoded"), "\(reason)")
        }
    }
}
