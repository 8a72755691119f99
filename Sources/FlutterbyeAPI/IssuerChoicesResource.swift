import FlutterbyeStore
import SolanaCore

/// The issuer's choices as a job shows them, members of the job object beside its other fields: `mint_authority`
/// (`keep`, `revoke` or an address), `freeze_authority` (`none`, `ours` or an address), `metadata_update_authority`
/// (Token-2022: `ours`, `none` or an address; null for a classic token) and `additional_metadata` ([key, value] pairs).
struct IssuerChoicesResource: Encodable, Sendable {
    var mintAuthority: String
    var freezeAuthority: String
    var metadataUpdateAuthority: String?
    var additionalMetadata: [[String]]

    init(_ request: TokenJobRequest) {
        mintAuthority = request.mintAuthority
        freezeAuthority = request.freezeAuthority
        metadataUpdateAuthority = request.storedMetadataUpdateAuthority
        additionalMetadata = request.additionalMetadata.map { [$0.key, $0.value] }
    }

    enum CodingKeys: String, CodingKey {
        case mintAuthority = "mint_authority"
        case freezeAuthority = "freeze_authority"
        case metadataUpdateAuthority = "metadata_update_authority"
        case additionalMetadata = "additional_metadata"
    }

    /// Into the encoder's object (the job's), null written rather than left out.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mintAuthority, forKey: .mintAuthority)
        try c.encode(freezeAuthority, forKey: .freezeAuthority)
        try c.encode(metadataUpdateAuthority, forKey: .metadataUpdateAuthority)
        try c.encode(additionalMetadata, forKey: .additionalMetadata)
    }
}
