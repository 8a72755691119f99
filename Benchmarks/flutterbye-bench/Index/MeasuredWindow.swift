import Foundation

// timespec and its fields: on Linux the compiler counts them as CDispatch's (MemberImportVisibility), not Glibc's.
#if canImport(CDispatch)
import CDispatch
#endif

/// With FLUTTERBYE_BENCH_WINDOW set, prints the measured window that just ended (`window START END` on stderr,
/// CLOCK_MONOTONIC seconds) so that a `perf record -k CLOCK_MONOTONIC` profile can be cut to it.
func reportWindow(_ elapsed: Duration) {
    guard ProcessInfo.processInfo.environment["FLUTTERBYE_BENCH_WINDOW"] != nil else { return }
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let end = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    FileHandle.standardError.write(
        Data("window \(end - elapsed.seconds) \(end)\n".utf8))
}
