import CBareLua
import Glibc

/// Threads the benchmark creates itself, with a stack size it chooses, so the
/// engine sees a caller whose stack qualifies (≥ 1 MiB) and runs inline.
enum StackThreads {
    /// Wall and CPU time of one run, in nanoseconds.
    struct Timing {
        /// From the first thread's start to the last thread's end.
        var wall: UInt64 = 0
        /// CPU time the threads used, added up.
        var cpu: UInt64 = 0

        static func += (total: inout Timing, run: Timing) {
            total.wall += run.wall
            total.cpu += run.cpu
        }
    }

    /// Runs `body(index)` on `count` new threads with `stackBytes` of stack,
    /// released together by a barrier, and times them.
    @discardableResult
    static func run(count: Int, stackBytes: Int, _ body: @escaping @Sendable (Int) -> Void) -> Timing {
        let shared = Shared(count: count, body: body)
        var threads: [pthread_t] = []
        for index in 0..<count {
            let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
            defer { attributes.deallocate() }
            pthread_attr_init(attributes)
            defer { pthread_attr_destroy(attributes) }
            precondition(pthread_attr_setstacksize(attributes, stackBytes) == 0, "bad stack size \(stackBytes)")
            var thread = pthread_t()
            let start = Unmanaged.passRetained(Start(shared: shared, index: index)).toOpaque()
            let status = pthread_create(
                &thread, attributes,
                { raw in
                    Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue().run()
                    return nil
                }, start)
            precondition(status == 0, "pthread_create failed: \(status)")
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
        return shared.timing
    }

    /// The stack size of the calling thread as glibc reports it (what the
    /// engine compares with its 1 MiB minimum), or 0 when unknown.
    static func currentStackBytes() -> Int {
        CBareLua_thread_stack_size()
    }

    /// State the threads of one run share. Each slot is written by one thread
    /// only and read after every thread has been joined.
    private final class Shared: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let barrier = UnsafeMutablePointer<pthread_barrier_t>.allocate(capacity: 1)
        let starts: UnsafeMutableBufferPointer<UInt64>
        let ends: UnsafeMutableBufferPointer<UInt64>
        let cpu: UnsafeMutableBufferPointer<UInt64>

        init(count: Int, body: @escaping @Sendable (Int) -> Void) {
            self.body = body
            pthread_barrier_init(barrier, nil, UInt32(count))
            starts = .allocate(capacity: count)
            starts.initialize(repeating: 0)
            ends = .allocate(capacity: count)
            ends.initialize(repeating: 0)
            cpu = .allocate(capacity: count)
            cpu.initialize(repeating: 0)
        }

        deinit {
            pthread_barrier_destroy(barrier)
            barrier.deallocate()
            starts.deallocate()
            ends.deallocate()
            cpu.deallocate()
        }

        var timing: Timing { Timing(wall: ends.max()! - starts.min()!, cpu: cpu.reduce(0, +)) }
    }

    private final class Start {
        let shared: Shared
        let index: Int

        init(shared: Shared, index: Int) {
            self.shared = shared
            self.index = index
        }

        func run() {
            pthread_barrier_wait(shared.barrier)
            let cpuStart = Clock.threadCPU()
            shared.starts[index] = Clock.now()
            shared.body(index)
            shared.ends[index] = Clock.now()
            shared.cpu[index] = Clock.threadCPU() - cpuStart
        }
    }
}

extension StackThreads {
    /// Runs `body` on one new thread with `stackBytes` of stack and returns its value.
    static func runReturning<Value: Sendable>(stackBytes: Int, _ body: @escaping @Sendable () -> Value) -> Value {
        let box = ResultBox<Value>()
        run(count: 1, stackBytes: stackBytes) { _ in box.value = body() }
        return box.value!
    }

    /// A value written by one thread and read after it has been joined.
    private final class ResultBox<Value>: @unchecked Sendable {
        var value: Value?
    }
}
