import Foundation

/// The `latency` workload: one job at a time on a steady schedule, each timed from its enqueue to its confirmation.
extension SenderWorkloads {
    /// Enqueue-to-confirmed per job in slots, p50 and p99, two ways: the database's clock (`confirmed_at -
    /// created_at`, divided by the slot time), which includes the worker noticing the confirmation, and the chain's
    /// slots (the slot the transaction landed in plus the confirmation depth, minus the chain's slot just before
    /// the enqueue). And how soon the worker knew: slots from the chain's confirmation of each job's transaction (the
    /// start of the slot it landed in plus the confirmation depth, as the benchmark saw the chain's slots) to the
    /// job's `confirmed_at`.
    func latency() async throws -> [SenderFigure] {
        let count = latencyJobs
        let interval = latencyInterval
        say("latency: \(count) jobs, one every \(Int(interval.milliseconds)) ms")
        return try await SenderRig.run("latency", settings: settings) { rig in
            let timeline = SlotTimeline()
            let following = Task { await timeline.follow(rig.chain) }
            defer { following.cancel() }
            try await rig.chain.resetCounters()
            try await rig.startWorker()
            let first = try await rig.chain.state()
            let start = ContinuousClock.now
            var enqueueSlots: [String: Int] = [:]
            for index in 0..<count {
                enqueueSlots["latency-\(index)"] = try await rig.chain.state().slot
                try await rig.jobs.enqueue(prefix: "latency", indices: index...index, recipient: rig.recipient)
                try await Task.sleep(until: start + interval * (index + 1), clock: .continuous)
            }
            let landed = try await rig.wait(for: "every job landed") { $0.settled >= count }
            let last = try await rig.chain.state()
            let slotTime = start.duration(to: landed.at).milliseconds / Double(max(last.slot - first.slot, 1))
            let jobs = try await rig.jobs.landedJobs()
            let slots = try await rig.chain.landedSlots(jobs.compactMap(\.signature))

            let slotMs = Double(settings.slotMs)
            let database = LatencySummary(jobs.map { $0.seconds * 1000 })
            let onChain = LatencySummary(
                jobs.compactMap { job -> Double? in
                    guard let signature = job.signature, let landedSlot = slots[signature], let enqueued = enqueueSlots[job.key] else { return nil }
                    return Double(landedSlot + Self.confirmDepth - enqueued) * slotMs
                })
            func inSlots(_ summary: LatencySummary) -> String {
                "p50 \(format(summary.p50Ms / slotMs, 1)) slots, p99 \(format(summary.p99Ms / slotMs, 1)) slots (mean \(format(summary.meanMs / slotMs, 1)), "
                    + "max \(format(summary.maxMs / slotMs, 1)); \(summary.samples) jobs)"
            }
            say("  \(landed.progress.text); the chain's slots took \(format(slotTime, 1)) ms on average (nominal \(settings.slotMs) ms)")
            say("  enqueue to confirmed, database clock / \(settings.slotMs) ms: \(inSlots(database))")
            say("  enqueue to confirmed, chain slots:           \(inSlots(onChain))")
            let heard = jobs.compactMap { job -> Double? in
                guard let signature = job.signature, let landedSlot = slots[signature] else { return nil }
                return timeline.slots(from: landedSlot + Self.confirmDepth, to: job.confirmedAt, slotMs: settings.slotMs)
            }
            let heardP95 = percentile(95, of: heard)
            say(
                "  the chain's confirmation to the job's confirmed_at: p50 \(format(percentile(50, of: heard), 2)) slots, "
                    + "p95 \(format(heardP95, 2)), max \(format(heard.max() ?? .nan, 2)) (\(heard.count) jobs)")
            let complete = landed.reached && jobs.count == count
            return [
                .atMost(
                    "latency", "p50 enqueue to confirmed", database.p50Ms / slotMs, Self.latencyP50Target, unit: "slots", decimals: 1,
                    complete: complete),
                .atMost(
                    "latency", "p99 enqueue to confirmed", database.p99Ms / slotMs, Self.latencyP99Target, unit: "slots", decimals: 1,
                    complete: complete),
                .info("latency", "p50 / p99 in chain slots", "\(format(onChain.p50Ms / slotMs, 1)) / \(format(onChain.p99Ms / slotMs, 1)) slots"),
                .info("latency", "measured slot time", "\(format(slotTime, 1)) ms"),
                .atMost(
                    "latency", "p95 chain's confirmation to confirmed", heardP95, 1, unit: "slots", decimals: 2,
                    complete: complete && heard.count == jobs.count),
            ]
        }
    }
}
