import SolanaCore

extension TokenJobRequest {
    /// The address of 32 zero bytes (the System Program's id): an authority nobody can sign for.
    static let zeroAddress = "11111111111111111111111111111111"
    /// Keys and values of the additional metadata together can never fit beyond this many bytes.
    static let maximumAdditionalMetadataBytes = 1232
    static let classicTokenHasNoMetadata =
        "a classic token (token_program token) has no Token-2022 metadata: leave it out, or use token-2022"

    /// The rules `enqueue_token_job` checks the issuer's choices by, in its order and with its reasons: the mint and
    /// freeze authorities (a keyword or an address), then the Token-2022 metadata's update authority and additional
    /// fields (refused for a classic token).
    func choiceRefusals() -> [TokenJobRefusal] {
        var invalid: [TokenJobRefusal] = []
        if let refusal = Self.authorityRefusal("mint_authority", mintAuthority, keywords: ("keep", "revoke"), nobody: "revoke") {
            invalid.append(refusal)
        }
        if let refusal = Self.authorityRefusal("freeze_authority", freezeAuthority, keywords: ("none", "ours"), nobody: "none") {
            invalid.append(refusal)
        }
        if let authority = metadataUpdateAuthority {
            if tokenProgram == "token" {
                invalid.append(.init("metadata_update_authority", Self.classicTokenHasNoMetadata))
            } else if let refusal = Self.authorityRefusal("metadata_update_authority", authority, keywords: ("ours", "none"), nobody: "none") {
                invalid.append(refusal)
            }
        }
        if !additionalMetadata.isEmpty {
            if tokenProgram == "token" {
                invalid.append(.init("additional_metadata", Self.classicTokenHasNoMetadata))
            } else if let reason = additionalMetadataProblem() {
                invalid.append(.init("additional_metadata", reason))
            }
        }
        return invalid
    }

    /// A keyword, or an address that is not the all-zero one.
    static func authorityRefusal(_ field: String, _ value: String, keywords: (String, String), nobody: String) -> TokenJobRefusal? {
        if value == keywords.0 || value == keywords.1 { return nil }
        guard isSolanaAddress(value) else {
            return .init(field, "\(shownAddress(value)) is not \(keywords.0), \(keywords.1) or a base58 Solana address")
        }
        guard value != zeroAddress else {
            return .init(field, "\(zeroAddress) is the all-zero address, which nobody can sign for: ask for \(nobody) instead")
        }
        return nil
    }

    /// What is wrong with the additional metadata: an empty key, a key given twice (the first such, in order), or more
    /// bytes than any transaction holds. Keys are compared byte for byte, as PostgreSQL compares text.
    func additionalMetadataProblem() -> String? {
        if additionalMetadata.contains(where: { $0.key.isEmpty }) { return "its keys must not be empty" }
        var seen: [[UInt8]: Int] = [:]
        for field in additionalMetadata { seen[Array(field.key.utf8), default: 0] += 1 }
        if let repeated = additionalMetadata.first(where: { seen[Array($0.key.utf8), default: 0] > 1 }) {
            return "the key \(Self.quoteLiteral(repeated.key)) appears more than once"
        }
        let bytes = additionalMetadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if bytes > Self.maximumAdditionalMetadataBytes {
            return "its keys and values have \(bytes) bytes, more than a transaction can carry (\(Self.maximumAdditionalMetadataBytes))"
        }
        return nil
    }

    /// The choices in typed form; nil when one of them is refused (`choiceRefusals`).
    func issuerChoices() -> IssuerChoices? {
        guard choiceRefusals().isEmpty else { return nil }
        func holder(_ value: String, service: String, nobody: String) -> AuthorityHolder? {
            switch value {
            case service: return .service
            case nobody: return .nobody
            default: return (try? PublicKey(base58: value)).map { .address($0) }
            }
        }
        guard let mint = holder(mintAuthority, service: "keep", nobody: "revoke"),
            let freeze = holder(freezeAuthority, service: "ours", nobody: "none"),
            let update = holder(metadataUpdateAuthority ?? "ours", service: "ours", nobody: "none")
        else { return nil }
        return IssuerChoices(mintAuthority: mint, freezeAuthority: freeze, metadataUpdateAuthority: update, additionalMetadata: additionalMetadata)
    }

    /// The choices the size rule names when a job is too large: those that add bytes to the transaction.
    var choiceFieldsAddingBytes: [String] {
        var fields: [String] = []
        if mintAuthority != "keep" { fields.append("mint_authority") }
        if freezeAuthority != "none" { fields.append("freeze_authority") }
        if tokenProgram == "token-2022" {
            if storedMetadataUpdateAuthority != "ours" { fields.append("metadata_update_authority") }
            if !additionalMetadata.isEmpty { fields.append("additional_metadata") }
        }
        return fields
    }
}
