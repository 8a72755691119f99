/// The error FlutterbyeStore throws: a `code` to switch on and a `message` that tells an operator what is wrong
/// and what to do about it. Messages never contain a database password.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure a `StoreError` is; a struct with static members (as in PostgresNIO) so that codes
    /// can be added without breaking exhaustive switches.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The database URL (`DATABASE_URL` or another connection string) is malformed.
        public static let invalidDatabaseURL = Code("invalidDatabaseURL")
        /// The schema file cannot be read.
        public static let schemaUnreadable = Code("schemaUnreadable")
        /// The schema script is malformed (an unterminated quote, comment or dollar-quoted body).
        public static let invalidSchema = Code("invalidSchema")
        /// A schema statement failed on the server; the whole migration was rolled back.
        public static let migrationFailed = Code("migrationFailed")
        /// The database cannot be reached or the connection broke.
        public static let databaseUnavailable = Code("databaseUnavailable")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong and what to do, for an operator.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
