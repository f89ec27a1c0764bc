public import Dispatch
import Foundation

/// For tests that load Swift's cooperative pool on purpose, as a server's
/// handlers do: waits on the test's own thread (off the pool) for the load
/// to end, and ends the test process when it does not. With the pool stuck
/// for good, the test library (which runs there) could neither report a
/// failure nor go on, and the run would hang until CI's limit.
public enum StuckPool {
    /// Returns once `finished` is signalled; after `seconds` without it,
    /// writes `test: reason` to stderr and ends the process with `_exit`
    /// (not `exit`: the handlers `exit` runs first can wait on the stuck
    /// pool too).
    public static func wait(for finished: DispatchSemaphore, seconds: Int, test: String, reason: String) {
        guard finished.wait(timeout: .now() + .seconds(seconds)) == .timedOut else { return }
        FileHandle.standardError.write(Data("\(test): \(reason); the test process stops here.\n".utf8))
        _exit(EXIT_FAILURE)
    }
}
