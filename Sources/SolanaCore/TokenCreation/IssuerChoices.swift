/// Who holds one of a new token's authorities once the job's transaction has run.
public enum AuthorityHolder: Sendable, Hashable {
    /// The mint authority key the service signs with.
    case service
    /// Nobody: the authority is revoked (a fixed supply, no freezing, metadata that can no longer change).
    case nobody
    /// Another address, such as an escrow multisig.
    case address(PublicKey)

    /// The key that holds the authority when `service` is the service's mint authority; nil for nobody.
    public func key(service: PublicKey) -> PublicKey? {
        switch self {
        case .service: service
        case .nobody: nil
        case .address(let key): key
        }
    }
}

/// The choices a token issuer makes per job besides the token's fields: who holds the mint, freeze and metadata update
/// authorities once the job's one transaction has run, and the Token-2022 metadata's additional key/value fields.
/// `standard` is what every job got before issuers could choose.
public struct IssuerChoices: Sendable, Hashable {
    /// Who may mint more afterwards: the service (`keep`), nobody (`revoke`: a fixed supply) or another address.
    public var mintAuthority: AuthorityHolder
    /// Who may freeze the token's accounts: nobody (`none`), the service's mint authority key (`ours`) or an address.
    public var freezeAuthority: AuthorityHolder
    /// Token-2022 only: who may update the metadata (and its pointer) afterwards.
    public var metadataUpdateAuthority: AuthorityHolder
    /// Token-2022 only: TokenMetadata's `additional_metadata`, in order, keys distinct.
    public var additionalMetadata: [TokenMetadataField]

    public init(
        mintAuthority: AuthorityHolder = .service, freezeAuthority: AuthorityHolder = .nobody, metadataUpdateAuthority: AuthorityHolder = .service,
        additionalMetadata: [TokenMetadataField] = []
    ) {
        self.mintAuthority = mintAuthority
        self.freezeAuthority = freezeAuthority
        self.metadataUpdateAuthority = metadataUpdateAuthority
        self.additionalMetadata = additionalMetadata
    }

    /// The service keeps the mint authority and the metadata's, nobody may freeze, no additional metadata.
    public static let standard = IssuerChoices()

    /// Whether the choices about Token-2022 metadata are the standard ones (the only ones a classic token may have).
    public var hasStandardMetadata: Bool { metadataUpdateAuthority == .service && additionalMetadata.isEmpty }
}
