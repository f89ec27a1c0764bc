import Foundation
import Synchronization

/// Threads with a stack big enough for Lua (SANDBOX.md rule 15), fed from one queue.
final class WorkerThreads: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
    }

    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)
    private let count: Int
    private let stackSize: Int
    private let started = Mutex(false)

    /// Threads start on the first job, so an engine whose callers all have
    /// big stacks never starts any.
    init(count: Int, stackSize: Int) {
        self.count = max(count, 1)
        self.stackSize = stackSize
    }

    /// Queues `job` on a worker.
    func submit(_ job: @escaping @Sendable () -> Void) {
        startIfNeeded()
        queue.withLock { $0.jobs.append(job) }
        available.signal()
    }

    private func startIfNeeded() {
        let start = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard start else { return }
        for index in 0..<count {
            let thread = Thread { [self] in self.loop() }
            thread.stackSize = stackSize
            thread.name = "keyward-lua-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a worker and waits for its value.
    func run<Value: Sendable>(_ body: @escaping @Sendable () -> Value) -> Value {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Value?>(nil)
        submit {
            let value = body()
            box.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }

    private func loop() {
        while true {
            available.wait()
            let job = queue.withLock { queue -> (@Sendable () -> Void)? in
                guard queue.head < queue.jobs.count else { return nil }
                let job = queue.jobs[queue.head]
                queue.head += 1
                if queue.head > 64, queue.head * 2 > queue.jobs.count {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
                return job
            }
            job?()
        }
    }
}

/// The number of processors this process may use.
enum ProcessorCount {
    static var active: Int { ProcessInfo.processInfo.activeProcessorCount }
}
