/// How a `.finish` write went.
public enum WriteResult: Sendable, Hashable {
    /// Written: the job left the worker.
    case written
    /// The job is no longer held under this lease (rescued and claimed again, cancelled): it is someone else's.
    case leaseLost
    /// The database did not answer; the write may or may not have taken effect: write again.
    case failed(String)
}
