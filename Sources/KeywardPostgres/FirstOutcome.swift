import Synchronization

/// Runs `body`, and when `limit` passes first, answers with the error
/// `late` returns (or, when `late` returns nil, keeps waiting for `body`).
///
/// The caller is answered at the deadline even when `body` does not heed
/// cancellation: a PostgresNIO query on a connection the server dropped, or
/// a wait for a session from a pool that cannot connect, can outlive its
/// cancellation for ever, and a task group would wait for it. `body` is
/// cancelled and left to end on its own, its result dropped.
func firstOutcome<T: Sendable>(
    of body: @escaping @Sendable () async throws -> T, after limit: Duration,
    late: @escaping @Sendable () -> (any Error)?
) async throws -> T {
    let first = FirstOutcome<T>()
    let work = Task {
        do {
            first.settle(.success(try await body()))
        } catch {
            first.settle(.failure(error))
        }
    }
    let timer = Task {
        try? await Task.sleep(for: limit)
        if !Task.isCancelled, let error = late() { first.settle(.failure(error)) }
    }
    defer {
        timer.cancel()
        work.cancel()
    }
    return try await withTaskCancellationHandler {
        try await first.value()
    } onCancel: {
        first.settle(.failure(CancellationError()))
    }
}

/// The first of several outcomes to arrive; later ones are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var outcome: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }

    private let state = Mutex(State())

    /// Records `outcome` unless one came first, and resumes the waiter.
    func settle(_ outcome: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: outcome)
    }

    /// The first outcome, once there is one.
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<T, any Error>? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
