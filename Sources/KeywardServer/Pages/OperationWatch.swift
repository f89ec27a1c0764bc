import Foundation
import KeywardStore

/// Waits briefly for a request's queued operations, so a page can say what
/// each system did: the workers usually finish within a second. After the
/// wait, whatever is still queued is shown as such.
struct OperationWatch: Sendable {
    let store: any ServingStore
    /// How long to wait at most.
    var limit: Duration = .seconds(5)
    /// How often to look.
    var interval: Duration = .milliseconds(100)

    /// The operations `ids` once all are final or the wait is over, in the
    /// order given (an operation the store no longer has is left out).
    func outcomes(of ids: [Int64]) async -> [QueuedOperation] {
        let deadline = ContinuousClock.now + limit
        var operations: [QueuedOperation] = []
        while true {
            operations = []
            for id in ids {
                if let operation = try? await store.operation(id: id) { operations.append(operation) }
            }
            if operations.allSatisfy(\.state.isTerminal) || ContinuousClock.now >= deadline || Task.isCancelled { return operations }
            try? await Task.sleep(for: interval)
        }
    }
}
