import Foundation
import SolanaCore

extension TokenJobRequest {
    /// The additional metadata as `token_jobs.additional_metadata` holds it: a JSON array of [key, value] pairs, in
    /// order; nil when there is none (the column is then null).
    public var storedAdditionalMetadata: String? {
        guard !additionalMetadata.isEmpty else { return nil }
        let pairs = additionalMetadata.map { [$0.key, $0.value] }
        return (try? JSONEncoder().encode(pairs)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The fields of an `additional_metadata` column read as text (nil: none). The database only ever holds arrays of
    /// string pairs (`enqueue_token_job` checks them); anything else reads as no fields.
    static func additionalMetadata(column text: String?) -> [TokenMetadataField] {
        guard let text, let pairs = try? JSONDecoder().decode([[String]].self, from: Data(text.utf8)) else { return [] }
        return pairs.compactMap { $0.count == 2 ? TokenMetadataField($0[0], $0[1]) : nil }
    }
}
