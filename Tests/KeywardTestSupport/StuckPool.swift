import Dispatch
import Foundation

/// For tests that load Swift's cooperative pool on purpose, as a server's
/// handlers do.
public enum StuckPool {
    /// Runs `work` in a detached task, so on the cooperative pool (not on
    /// the test threads of `.offThePool`), and returns its value. Waits for
    /// it on the calling thread, which must be off the pool (a suite with
    /// `.offThePool`): when `work` has not ended after `seconds`, writes
    /// `test: reason` to stderr and ends the process with `_exit`. With the
    /// pool stuck for good, the test library (which runs there) could
    /// neither report a failure nor go on, and the run would hang until CI's
    /// limit; `exit` would run handlers first, which can wait on the stuck
    /// pool too.
    public static func run<T: Sendable>(
        seconds: Int, test: String, reason: String, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let finished = DispatchSemaphore(value: 0)
        let task = Task.detached {
            defer { finished.signal() }
            return try await work()
        }
        if finished.wait(timeout: .now() + .seconds(seconds)) == .timedOut {
            FileHandle.standardError.write(Data("\(test): \(reason); the test process stops here.\n".utf8))
            _exit(EXIT_FAILURE)
        }
        return try await task.value
    }
}
