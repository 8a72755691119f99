/// The error the store raises: a `code` to switch on and a message that tells an operator what to do.
/// Messages never contain a database password.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// `DATABASE_URL` (or another connection string) is malformed.
        public static let invalidDatabaseURL = Code("invalidDatabaseURL")
        /// The schema file cannot be read.
        public static let schemaUnreadable = Code("schemaUnreadable")
        /// The schema script is malformed (an unterminated quote, comment or dollar-quoted body).
        public static let invalidSchema = Code("invalidSchema")
        /// A schema statement failed on the server.
        public static let migrationFailed = Code("migrationFailed")

        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
