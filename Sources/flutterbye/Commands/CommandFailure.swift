/// A failure of a command at run time (a bad key file, a missing variable), reported as one `Error: …` line
/// without the usage text that argument mistakes get.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
