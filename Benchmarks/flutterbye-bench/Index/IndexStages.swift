import FlutterbyeIndexer
import Foundation
import Logging
import NIOCore
import SolanaCore
import SolanaRPC
import Synchronization

/// `flutterbye-bench index --stages`: the CPU each stage of indexing takes per transaction, each timed alone on the
/// recorded history (no HTTP, no database), to see which stage a change speeds up without the noise of a whole run:
/// the replay server's answer to a `getTransaction` batch, the indexer's decoding of it, the extraction of
/// movements, and the COPY rows. Then the polling source alone against the replay server (HTTP included, the
/// database left out: each batch is extracted and rendered as COPY rows, and dropped).
struct IndexStageTimings {
    let recording: HistoryRecording
    let batchSize: Int
    let polling: PollingSettings
    let logger: Logger

    /// Polls every recorded address until each one's whole history is delivered; returns the time and this process's
    /// CPU seconds.
    func sourceOnly() async throws -> (Duration, Double) {
        let watched = recording.watched
        let addresses = try recording.signatures.keys.sorted().map { text in
            let key = try PublicKey(base58: text)
            let role: AddressRole =
                key == watched.flbyMint ? .mint : key == watched.escrowWallet ? .escrow : key == watched.feeWallet ? .fee : .flbyAccount
            return AddressCursor(address: key, role: role)
        }
        let total = recording.signatures.values.reduce(0) { $0 + $1.count }
        return try await recording.withReplayRPC(calls: CallCounter(), logger: logger) { [polling, logger] rpc in
            let covered = Mutex(0)
            let source = PollingTransactionSource(rpc: rpc, addresses: addresses, settings: polling, logger: logger)
            let clock = ContinuousClock()
            let cpuBefore = ProcessCPU.now().benchmark
            let start = clock.now
            let running = Task {
                try await source.run { batch in
                    let indexed = batch.transactions.map { TransactionMovements.extract($0, watching: watched) }.filter(\.isRelevant)
                    _ = IndexCopyRows(indexed)
                    covered.withLock { $0 += batch.advance?.signatures ?? 0 }
                }
            }
            while covered.withLock({ $0 }) < total { try await Task.sleep(for: .milliseconds(1)) }
            let elapsed = clock.now - start
            let cpu = ProcessCPU.now().benchmark - cpuBefore
            reportWindow(elapsed)
            running.cancel()
            _ = try? await running.value
            return (elapsed, cpu)
        }
    }

    func run(rounds: Int) throws -> String {
        // The signatures in the order the indexer meets them: each address's history oldest first, each once.
        var seen: Set<String> = []
        var order: [String] = []
        for address in recording.signatures.keys.sorted() {
            for entry in recording.signatures[address]!.reversed() where seen.insert(entry.signature).inserted { order.append(entry.signature) }
        }
        let signatures = try order.map { try Signature(base58: $0) }
        var codecs: [TransactionBatchCodec] = []
        var start = 0
        while start < signatures.count {
            codecs.append(TransactionBatchCodec(Array(signatures[start..<min(start + batchSize, signatures.count)])))
            start += batchSize
        }
        let requests = codecs.map { ByteBuffer(bytes: $0.requestBody) }
        let counter = CallCounter()
        let clock = ContinuousClock()
        var best = [Duration](repeating: .seconds(1_000), count: 4)
        var replyBytes = 0
        var rowBytes = 0
        var relevant = 0
        for _ in 0..<rounds {
            var times = [Duration](repeating: .zero, count: 4)
            replyBytes = 0
            rowBytes = 0
            relevant = 0
            for (codec, request) in zip(codecs, requests) {
                var t0 = clock.now
                let reply = recording.respond(to: request, calls: counter)
                var t1 = clock.now
                times[0] += t1 - t0
                replyBytes += reply.readableBytes
                t0 = clock.now
                let answers = try codec.decode(reply)
                t1 = clock.now
                times[1] += t1 - t0
                let fetched = try answers.compactMap { try $0.get() }
                t0 = clock.now
                let indexed = fetched.map { TransactionMovements.extract($0, watching: recording.watched) }.filter(\.isRelevant)
                t1 = clock.now
                times[2] += t1 - t0
                relevant += indexed.count
                t0 = clock.now
                let rows = IndexCopyRows(indexed)
                t1 = clock.now
                times[3] += t1 - t0
                rowBytes += rows.byteCount
            }
            for index in times.indices { best[index] = min(best[index], times[index]) }
        }
        func perTransaction(_ duration: Duration) -> String {
            String(format: "%.2f µs", duration.microseconds / Double(signatures.count))
        }
        // Every address's whole history as one getSignaturesForAddress answer.
        let pages = recording.signatures.values.map { entries in
            var page: [UInt8] = [UInt8(ascii: "[")]
            for (index, entry) in entries.enumerated() {
                if index > 0 { page.append(UInt8(ascii: ",")) }
                page += entry.entry
            }
            return page + [UInt8(ascii: "]")]
        }
        let entries = recording.signatures.values.reduce(0) { $0 + $1.count }
        var pagesBest = Duration.seconds(1_000)
        for _ in 0..<rounds {
            let t0 = clock.now
            for page in pages {
                let decoded = try page.withUnsafeBufferPointer { bytes throws(RPCError) in try SolanaRPCClient.signatureInfos(answer: bytes) }
                precondition(!decoded.isEmpty)
            }
            pagesBest = min(pagesBest, clock.now - t0)
        }
        var source: (Duration, Double) = (.seconds(1_000), 0)
        for _ in 0..<rounds {
            let run = try runBlocking { try await sourceOnly() }
            if run.0 < source.0 { source = run }
        }
        let names = ["replay answer", "decode answers", "extract", "COPY rows"]
        return
            (["stages: \(signatures.count) transactions in batches of \(batchSize), the fastest of \(rounds) rounds, per transaction:"]
            + names.indices.map { "  \(names[$0]): \(perTransaction(best[$0]))" }
            + [
                "  signature pages: \(perTransaction(pagesBest)) (\(entries) entries, \(String(format: "%.2f µs", pagesBest.microseconds / Double(entries))) each)"
            ]
            + [
                "  the polling source alone (HTTP, no database; the fastest of \(rounds)): \(perTransaction(source.0)) wall, \(String(format: "%.2f µs", source.1 * 1e6 / Double(signatures.count))) CPU"
            ]
            + ["  (\(replyBytes / signatures.count) reply bytes and \(rowBytes / max(relevant, 1)) COPY bytes a transaction; \(relevant) relevant)"])
            .joined(separator: "\n")
    }
}
