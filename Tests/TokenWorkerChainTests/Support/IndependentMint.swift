import ChainTestSupport
import FlutterbyeTestSupport
import Foundation

/// A mint account as `Tests/LocalChain/mint_reader.py` decodes it (solana-py's mint layout, and the Token-2022
/// extensions read in Python from the program's documented layout): what the tests compare the chain with, never
/// SolanaCore's own decoders, which are part of what is tested. Keys are base58 text; nil is none.
struct IndependentMint: Decodable, Equatable {
    struct MetadataPointer: Decodable, Equatable {
        var authority: String?
        var metadataAddress: String?

        enum CodingKeys: String, CodingKey {
            case authority
            case metadataAddress = "metadata_address"
        }
    }

    struct Metadata: Decodable, Equatable {
        var updateAuthority: String?
        var mint: String?
        var name: String
        var symbol: String
        var uri: String
        var additionalMetadata: [[String]]

        enum CodingKeys: String, CodingKey {
            case updateAuthority = "update_authority"
            case mint, name, symbol, uri
            case additionalMetadata = "additional_metadata"
        }
    }

    var mintAuthority: String?
    var supply: UInt64
    var decimals: Int
    var isInitialized: Bool
    var freezeAuthority: String?
    var metadataPointer: MetadataPointer?
    var metadata: Metadata?

    enum CodingKeys: String, CodingKey {
        case mintAuthority = "mint_authority"
        case supply, decimals
        case isInitialized = "is_initialized"
        case freezeAuthority = "freeze_authority"
        case metadataPointer = "metadata_pointer"
        case metadata
    }

    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// `data` (a mint account's bytes, as the chain holds them) decoded by the Python reader.
    static func read(_ data: [UInt8]) async throws -> IndependentMint {
        guard let python = LiteSVMSession.python else { throw ReadError(description: "no Python with solders: run Tests/run") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            Repository.root.appendingPathComponent("Tests/LocalChain/mint_reader.py").path, Data(data).base64EncodedString(),
        ]
        let errors = Pipe()
        process.standardError = errors
        let (status, text) = try await ChildProcess.run(process)
        guard status == 0 else {
            let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ReadError(description: "mint_reader.py failed (\(status)): \(problems)")
        }
        return try JSONDecoder().decode(IndependentMint.self, from: text)
    }
}
