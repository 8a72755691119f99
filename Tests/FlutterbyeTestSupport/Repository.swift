public import Foundation

/// The repository the tests run from, for the scripts and files they use (`Tests/LocalChain`, `Tests/Support`,
/// `schema.sql`).
public enum Repository {
    /// The repository's root, found from this file's path (Tests/FlutterbyeTestSupport/Repository.swift).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
