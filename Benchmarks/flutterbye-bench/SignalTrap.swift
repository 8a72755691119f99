import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a clean-up (stop the throwaway cluster, and the processes a benchmark started) on SIGINT or SIGTERM, then
/// exits (130 or 143), so that Ctrl-C leaves no server or process behind.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(onSignal cleanUp: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\nsignal \(number): stopping what the benchmark started\n".utf8))
                cleanUp()
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Stops trapping and restores the default handlers.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
