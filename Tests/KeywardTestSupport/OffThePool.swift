import Foundation
public import Testing

/// Runs a suite's tests on ``TestThreads/shared`` instead of Swift's
/// cooperative pool.
///
/// The cooperative pool has one thread per core: two on CI. The tests block
/// threads on purpose (they wait for `psql`, `samba-tool`, `slapd`, `initdb`
/// and `keyward` processes, and for shared servers being provisioned under a
/// lock). On the cooperative pool two such waits stop every other test in
/// the process, and their timeouts (a PostgreSQL store's 5 s, a Graph call's
/// 10 s) then expire together, failing tests that did nothing wrong. Keyward's
/// own code keeps its blocking calls off the cooperative pool; the tests'
/// waits are moved with this trait instead, which every suite carries first
/// (so it wraps the other traits' server starts too). `make test` refuses a
/// suite without it.
public struct OffThePoolTrait: SuiteTrait, TestScoping {
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite ? self : nil
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(TestThreads.shared) { try await function() }
    }
}

extension Trait where Self == OffThePoolTrait {
    /// The suite's tests (and the tasks they start) run on ``TestThreads/shared``.
    public static var offThePool: Self { Self() }
}

/// A task executor with many plain threads, where a test that blocks one
/// thread leaves plenty for the others.
public final class TestThreads: TaskExecutor, @unchecked Sendable {
    /// The executor of every suite (64 threads, started on first use).
    public static let shared = TestThreads(threads: 64)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []  // guarded by `condition`, from `next` on
    private var next = 0

    init(threads: Int) {
        for index in 0..<threads {
            Thread { [unowned self] in
                Thread.current.name = "keyward-test-\(index)"
                self.work()
            }.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while next == jobs.count { condition.wait() }
            let job = jobs[next]
            next += 1
            if next == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                next = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
