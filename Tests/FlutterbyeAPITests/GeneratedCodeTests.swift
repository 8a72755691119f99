import Crypto
import Foundation
import Testing

@testable import FlutterbyeAPI

/// The server code in Sources/FlutterbyeAPI/Generated was generated from the OpenAPI document the API serves: each
/// generated file names the SHA-256 of the document it came from (Scripts/generate-openapi.sh writes it), and that must
/// be the digest of the bytes `GET /openapi.json` answers with. (`Scripts/generate-openapi.sh --check`, which Tests/run
/// runs without arguments, regenerates the code and compares it whole.)
@Suite struct GeneratedCodeTests {
    static let generated = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/FlutterbyeAPI/Generated").standardized

    @Test func everyGeneratedFileWasGeneratedFromTheServedDocument() throws {
        let digest = SHA256.hash(data: PackageResources.openapi_json).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.generated.path).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.contains("Server.swift") && files.contains("Types.swift"), "\(files)")
        for file in files {
            let text = try String(contentsOf: Self.generated.appendingPathComponent(file), encoding: .utf8)
            let header = text.split(separator: "\n").prefix(4).joined(separator: "\n")
            #expect(
                header.contains("(SHA-256 \(digest))"),
                "\(file) was not generated from the document the API serves: run Scripts/generate-openapi.sh\n\(header)")
        }
    }
}
