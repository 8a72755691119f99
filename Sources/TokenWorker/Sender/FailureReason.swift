/// A job's failure as it is recorded: a class and a message for the operator.
struct FailureReason: Sendable, Hashable {
    var errorClass: String
    var message: String
}
