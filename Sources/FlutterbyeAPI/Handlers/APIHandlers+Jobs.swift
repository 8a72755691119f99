import FlutterbyeStore
import OpenAPIRuntime

/// The job routes: enqueue (`POST /v1/jobs`), read one, list a page, cancel and retry. Every answer is a job (or a
/// page of jobs) as `Components.Schemas.Job` shows it. The body of an enqueue and the routes' parameters are checked
/// with the API's own messages before these run (`JobSubmissionMiddleware`, `JobParametersMiddleware`).
extension APIHandlers {
    func createJob(_ input: Operations.CreateJob.Input) async throws -> Operations.CreateJob.Output {
        let request: CheckedTokenJobRequest
        switch input.body {
        case .json(let accepted): request = accepted.job
        }
        let queue = self.queue
        let (result, job) = try await database.run {
            let result = try await queue.enqueue(request)
            return (result, try await queue.job(id: result.jobID))
        }
        let body = try Components.Schemas.Job(job, cluster: cluster)
        let location = "/v1/jobs/\(job.id)"
        return result.inserted
            ? .created(.init(headers: .init(location: location), body: .json(body)))
            : .ok(.init(headers: .init(location: location), body: .json(body)))
    }

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        let id = try JobListQuery.jobID(Substring(String(input.path.id)))
        let queue = self.queue
        let job = try await database.run { try await queue.job(id: id) }
        return .ok(.init(body: .json(try .init(job, cluster: cluster))))
    }

    func cancelJob(_ input: Operations.CancelJob.Input) async throws -> Operations.CancelJob.Output {
        let id = try JobListQuery.jobID(Substring(String(input.path.id)))
        let queue = self.queue
        let job = try await database.run { try await queue.cancel(jobID: id) }
        return .ok(.init(body: .json(try .init(job, cluster: cluster))))
    }

    func retryJob(_ input: Operations.RetryJob.Input) async throws -> Operations.RetryJob.Output {
        let id = try JobListQuery.jobID(Substring(String(input.path.id)))
        let queue = self.queue
        let job = try await database.run { try await queue.retry(jobID: id) }
        return .ok(.init(body: .json(try .init(job, cluster: cluster))))
    }

    /// `GET /v1/jobs?state=&limit=&cursor=`: newest first; `next_cursor` continues after the page's last job.
    func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        let query = try JobListQuery(
            state: input.query.state?.rawValue, limit: input.query.limit.map(String.init), cursor: input.query.cursor)
        let queue = self.queue
        let jobs = try await database.run { try await queue.jobs(state: query.state, limit: query.limit, before: query.before) }
        let next = jobs.count == query.limit ? jobs.last.map { JobCursor(before: $0.id).text } : nil
        let page = Components.Schemas.JobPage(jobs: try jobs.map { try .init($0, cluster: cluster) }, nextCursor: .init(next))
        return .ok(.init(body: .json(page)))
    }
}
