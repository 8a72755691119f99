import FlutterbyeStore
import SolanaCore

/// The issuer's choices in the body of `POST /v1/jobs` (`mint_authority`, `freeze_authority`,
/// `metadata_update_authority`, `additional_metadata`), each optional: a missing or null member is today's choice.
/// Their values' rules are `TokenJobRequest.invalidFields`'s, checked with the rest of the job.
struct IssuerChoicesSubmission {
    static let members: Set<String> = ["mint_authority", "freeze_authority", "metadata_update_authority", "additional_metadata"]

    var mintAuthority = "keep"
    var freezeAuthority = "none"
    var metadataUpdateAuthority: String?
    var additionalMetadata: [TokenMetadataField] = []

    /// The choices in `object`; a member of the wrong type is reported through `problem` (field, message).
    init(_ object: [String: JSONValue], problem: (String, String) -> Void) {
        func string(_ key: String) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text) where !text.utf8.contains(0): return text
            case .string?:
                problem(key, "must not contain NUL characters")
                return nil
            default:
                problem(key, "must be a string")
                return nil
            }
        }
        mintAuthority = string("mint_authority") ?? mintAuthority
        freezeAuthority = string("freeze_authority") ?? freezeAuthority
        metadataUpdateAuthority = string("metadata_update_authority")
        switch object["additional_metadata"] {
        case nil, .null?: break
        case .array(let pairs)?:
            var fields: [TokenMetadataField] = []
            for pair in pairs {
                guard case .array(let parts) = pair, parts.count == 2, case .string(let key) = parts[0], case .string(let value) = parts[1] else {
                    problem("additional_metadata", "must be an array of [key, value] pairs of strings")
                    return
                }
                guard !key.utf8.contains(0), !value.utf8.contains(0) else {
                    problem("additional_metadata", "must not contain NUL characters")
                    return
                }
                fields.append(TokenMetadataField(key, value))
            }
            additionalMetadata = fields
        default:
            problem("additional_metadata", "must be an array of [key, value] pairs of strings")
        }
    }

    /// `request` with these choices.
    func applied(to request: TokenJobRequest) -> TokenJobRequest {
        var request = request
        request.mintAuthority = mintAuthority
        request.freezeAuthority = freezeAuthority
        request.metadataUpdateAuthority = metadataUpdateAuthority
        request.additionalMetadata = additionalMetadata
        return request
    }
}
