public import Foundation
public import KeywardStore
public import Logging
import KeywardConnectors
import KeywardCore
import Synchronization

/// The queue's workers: they claim due operations from the store, run them
/// through their system's connector, and record how each attempt ended.
///
/// **At-least-once execution with idempotent effects.** An operation is
/// marked `running` before its connector is called and its outcome is
/// recorded after, so a crash in between leaves it `running`; on restart
/// ``recoverInterrupted()`` makes it due again, marked interrupted, and it
/// runs a second time. Its effect is applied once all the same: a create
/// that finds its account already there with the same attributes counts as
/// done; a password set twice leaves the same password; a change whose new
/// password already verifies counts as done; unlock is idempotent.
///
/// Transient failures (unreachable, timed out, throttled) are retried after
/// the system's backoff (`retry:` in its connector file, never sooner than
/// a `Retry-After`), until `maxAttempts`, then the operation is `blocked`.
/// Other failures end it as `failed`. Either way its secrets are deleted.
public struct Executor: Sendable {
    /// The store.
    public let store: any Store
    /// The configured systems, by name.
    public let systems: [String: TargetSystem]
    /// Where progress goes: one line per attempt, never a secret.
    public let logger: Logger
    /// How many operations are claimed at a time.
    public let batchSize: Int
    /// How many run at once.
    public let concurrency: Int
    /// The clock.
    public let now: @Sendable () -> Date
    /// The systems' `maxConcurrent` caps, which the store holds across
    /// every worker sharing it.
    let systemLimits: [String: Int]
    /// Told of every attempt once its outcome is recorded (metrics); nil: nobody.
    public var observer: (@Sendable (OperationAttemptReport) -> Void)?
    /// Ends ``run(pollInterval:)``'s wait between polls early: the service
    /// in the same process rings it when it queues (``ProvisioningService/bell``).
    public var bell: QueueBell?

    /// Creates an executor.
    public init(
        store: any Store, systems: [TargetSystem], logger: Logger, batchSize: Int = 32, concurrency: Int = 4,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.systems = Dictionary(systems.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.logger = logger
        self.batchSize = max(1, batchSize)
        self.concurrency = max(1, concurrency)
        self.now = now
        self.systemLimits = self.systems.compactMapValues(\.definition.maxConcurrent)
    }

    /// Makes operations a dead worker left `running` due again. Call once at
    /// start, before the first claim.
    @discardableResult
    public func recoverInterrupted() async throws -> Int {
        let count = try await store.recoverInterrupted(now: now())
        if count > 0 {
            logger.notice("resuming \(count) operation(s) interrupted by a stop or crash")
        }
        return count
    }

    /// Claims one batch of due operations and runs it. Returns how many ran.
    public func runBatch() async throws -> Int {
        let claimed = try await store.claimDue(limit: batchSize, now: now(), systemLimits: systemLimits)
        guard !claimed.isEmpty else { return 0 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(concurrency, claimed.count) {
                let operation = claimed[next]
                next += 1
                group.addTask { try await attempt(operation) }
            }
            while try await group.next() != nil, next < claimed.count {
                let operation = claimed[next]
                next += 1
                group.addTask { try await attempt(operation) }
            }
            try await group.waitForAll()
        }
        return claimed.count
    }

    /// Runs operations until none is due. Returns how many ran.
    @discardableResult
    public func drain() async throws -> Int {
        try await pipeline(until: StopSignal())
    }

    /// Runs until the task is cancelled, waiting `pollInterval` (or until
    /// ``bell`` rings) when nothing is due. A cancelled task claims nothing
    /// more and finishes the operations in hand first, so nothing claimed
    /// is left `running`.
    ///
    /// A store that cannot be reached for now (``StoreError/isTransient``)
    /// does not stop it: it waits with growing pauses and carries on when
    /// the store answers again; any other error ends the run.
    public func run(pollInterval: Duration = .seconds(1)) async throws {
        let stopping = StopSignal()
        try await withTaskCancellationHandler {
            var outage = StoreOutage()
            while !stopping.isSet {
                do {
                    let count = try await Task.detached { try await pipeline(until: stopping) }.value
                    outage.recovered(logger: logger, worker: "executor")
                    if count == 0 {
                        if let bell {
                            await bell.wait(upTo: pollInterval)
                        } else {
                            try? await Task.sleep(for: pollInterval)
                        }
                    }
                } catch where StoreOutage.isOutage(error) {
                    await outage.pause(after: error, logger: logger, worker: "executor")
                }
            }
        } onCancel: {
            stopping.set()
        }
    }

    /// Keeps ``concurrency`` connector calls running: the next batch is
    /// claimed as soon as a worker is free and every claimed operation has
    /// started, not once the whole batch has ended, so the workers do not
    /// wait for the slowest of a batch. A worker is free once its connector
    /// call ends: the outcome is recorded beside the next call (at most
    /// ``batchSize`` outcomes wait to be recorded), so the workers do not
    /// wait for the store's commits either. Returns how many ran, once a
    /// claim made after the last call ended finds nothing due and every
    /// outcome is recorded, or once `stop` is set and the operations in hand
    /// have ended and been recorded. A failed claim ends it the same way
    /// (the operations in hand first), then is thrown.
    func pipeline(until stop: StopSignal) async throws -> Int {
        enum Step: Sendable {
            case performed(Performed)
            case recorded
        }
        return try await withThrowingTaskGroup(of: Step.self) { group in
            var waiting: [ClaimedOperation] = []
            var performing = 0
            var recording = 0
            var total = 0
            var endedSinceClaim = true
            var failure: (any Error)?
            while true {
                if waiting.isEmpty, performing < concurrency, recording < batchSize, endedSinceClaim, failure == nil,
                    !stop.isSet
                {
                    do {
                        waiting = try await store.claimDue(limit: batchSize, now: now(), systemLimits: systemLimits).reversed()
                    } catch {
                        failure = error
                    }
                    total += waiting.count
                    endedSinceClaim = false
                }
                while performing < concurrency, recording < batchSize, let next = waiting.popLast() {
                    group.addTask { .performed(await perform(next)) }
                    performing += 1
                }
                guard performing + recording > 0 else {
                    if let failure { throw failure }
                    return total
                }
                // Not nil: the group holds the performing and recording tasks counted above.
                guard let step = try await group.next() else { continue }
                endedSinceClaim = true
                switch step {
                case .performed(let performed):
                    performing -= 1
                    recording += 1
                    group.addTask {
                        try await record(performed)
                        return .recorded
                    }
                case .recorded:
                    recording -= 1
                }
            }
        }
    }
}

/// Set once, from any thread: tells a pipeline to claim nothing more.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .acquiring) }

    func set() { flag.store(true, ordering: .releasing) }
}
