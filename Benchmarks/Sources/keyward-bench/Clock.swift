// With swift-nio in the graph (figure g), `timespec` is seen through CDispatch:
// MemberImportVisibility wants that module imported where it is used.
import CDispatch
import Glibc

/// Nanosecond clocks, read straight from the kernel.
enum Clock {
    /// Monotonic wall time.
    static func now() -> UInt64 { read(CLOCK_MONOTONIC) }

    /// CPU time the calling thread has used: unlike wall time, it does not
    /// grow while the thread waits for a core that other processes hold.
    static func threadCPU() -> UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
