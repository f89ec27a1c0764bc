import Synchronization

/// Rung when operations are queued, so that an idle ``Executor/run(pollInterval:)``
/// in the same process (its ``Executor/bell``) claims them at once instead
/// of at its next poll.
///
/// A ring is never lost: one that comes while nobody waits is kept, and
/// the next ``wait(upTo:)`` returns at once. Rings that come together count
/// as one. Operations queued by another process (a `keyward password
/// reset` beside `keyward serve`) do not ring it: the poll still finds them.
public final class QueueBell: Sendable {
    private struct State {
        var rung = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every waiter, or the next one to wait.
    public func ring() {
        let waiters = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.rung = true
                return [CheckedContinuation<Void, Never>]()
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the bell rings (or has rung since the last wait), once
    /// `limit` has passed, or once the task is cancelled, whichever comes first.
    public func wait(upTo limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.ringing() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once the bell rings (or has rung), or once the task is cancelled.
    private func ringing() async {
        let number = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return false
                    }
                    state.waiters[number] = continuation
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: number) }?.resume()
        }
    }
}
