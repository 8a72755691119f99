/// A worker's hold on a claimed job: the job and the token its claim drew. Every step the worker writes names it, so
/// the runner of a claim that was taken over (rescued and claimed again, even under the same worker name) can write
/// nothing.
public struct JobLease: Sendable, Hashable, CustomStringConvertible {
    public var jobID: Int64
    public var token: Int64

    public init(jobID: Int64, token: Int64) {
        self.jobID = jobID
        self.token = token
    }

    public var description: String { "job \(jobID) (lease \(token))" }
}
