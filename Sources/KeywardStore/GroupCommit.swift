#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import Synchronization

/// Group commit: the writes that arrive while a transaction is being
/// committed wait, and then go to SQLite together, in one transaction.
///
/// A write that fails is rolled back alone and its caller gets its error,
/// while the others commit (see ``commit(_:_:)``). A
/// caller is resumed only once the transaction holding its write has
/// committed (or failed), so a write that returned is as durable as if it
/// had been committed alone. Writes run one after another on SQLite's one
/// writer connection and each sees the ones before it, as separate
/// transactions would, in the order they arrived. A lone write on an idle
/// store is committed at once, unless it is ``Commit/deferred``: then it
/// waits a moment for company.
///
/// What this saves is the fixed cost of a transaction (a WAL commit and its
/// sync, the writer queue's hops), which dominates a queue's small writes:
/// the workers' `finish` calls and concurrent requests share commits.
final class GroupCommit: Sendable {
    /// How a write is committed.
    enum Commit: Sendable {
        /// Synced to disk before the caller resumes (`synchronous = FULL`).
        case synced
        /// Committed at once, without a sync of its own (`NORMAL`): a power
        /// cut may undo it until the next synced commit, which syncs the WAL
        /// it was appended to.
        case unsynced
        /// As `unsynced`, but it may wait up to ``GroupCommit/linger`` for
        /// other writes to share its transaction: for bookkeeping no caller
        /// waits on, such as the workers' outcomes, which then ride with the
        /// requests' synced commits instead of costing commits of their own.
        case deferred
    }

    /// One caller's write: `run` applies it and returns how to resume the
    /// caller after the commit; `fail` resumes it with an error.
    private struct Job: Sendable {
        let run: @Sendable (Database) throws -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
        let commit: Commit
    }

    private struct State {
        var pending: [Job] = []
        /// How many of `pending` are not `deferred`.
        var prompt = 0
        var committing = false
        /// Counts the lingers, so that a timer outlived by a commit does nothing.
        var lingers = 0
        var lingering = false
        /// The writer connection's `synchronous` level, set only when it changes.
        var synced: Bool?
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    private let counted = Mutex(WriterLoad())

    /// What the writer has done so far.
    var load: WriterLoad { counted.withLock { $0 } }
    /// The most writes in one transaction, so a flood of writers still
    /// sees commits at a steady pace.
    private let limit: Int
    /// The longest a `deferred` write waits for company.
    let linger: Duration
    /// This many `deferred` writes are committed without waiting any longer.
    private let deferredBatch: Int

    init(pool: DatabasePool, limit: Int = 256, linger: Duration = .milliseconds(2), deferredBatch: Int = 8) {
        self.pool = pool
        self.limit = limit
        self.linger = linger
        self.deferredBatch = deferredBatch
    }

    /// Runs `updates` in the next group transaction; returns its result
    /// once that transaction has committed, synced or not as `commit` says.
    /// A group holding one synced write is synced as a whole.
    func write<T: Sendable>(_ commit: Commit, _ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let value = try updates(db)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) },
                commit: commit)
            let next = state.withLock { state in
                state.pending.append(job)
                if commit != .deferred { state.prompt += 1 }
                return state.committing ? .wait : Self.next(&state, deferredBatch: deferredBatch)
            }
            start(next)
        }
    }

    private enum Next {
        case wait, commit, linger(Int)
    }

    /// What an idle writer does with the pending writes: commits them, or
    /// lingers when they are only a few deferred ones. Called under the lock.
    private static func next(_ state: inout State, deferredBatch: Int) -> Next {
        if state.pending.isEmpty { return .wait }
        if state.prompt == 0, state.pending.count < deferredBatch {
            guard !state.lingering else { return .wait }
            state.lingering = true
            state.lingers += 1
            return .linger(state.lingers)
        }
        state.committing = true
        state.lingering = false
        return .commit
    }

    private func start(_ next: Next) {
        switch next {
        case .wait: break
        case .commit: commitPending()
        case .linger(let number):
            Task.detached { [self] in
                try? await Task.sleep(for: linger)
                let due = state.withLock { state in
                    guard state.lingering, state.lingers == number, !state.committing else { return false }
                    state.committing = true
                    state.lingering = false
                    return true
                }
                if due { commitPending() }
            }
        }
    }

    /// Takes the waiting writes (up to `limit`) and commits them; when that
    /// is done, does the same for those that arrived meanwhile.
    private func commitPending() {
        let (jobs, setting) = state.withLock { state in
            let taken = Array(state.pending.prefix(limit))
            state.pending.removeFirst(taken.count)
            state.prompt -= taken.count { $0.commit != .deferred }
            let synced = taken.contains { $0.commit == .synced }
            let setting: String? =
                state.synced == synced ? nil : synced ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"
            state.synced = synced
            return (taken, setting)
        }
        pool.asyncWriteWithoutTransaction { db in
            let (started, cpu) = (Self.nanoseconds(CLOCK_MONOTONIC), Self.nanoseconds(CLOCK_THREAD_CPUTIME_ID))
            var resumes: [@Sendable () -> Void]
            do {
                if let setting { try db.cachedStatement(sql: setting).execute() }
                resumes = Self.commit(jobs, db)
            } catch {
                // Only the sync setting throws (`commit` resumes each job
                // with its own outcome): nothing of the group was run.
                self.state.withLock { $0.synced = nil }
                resumes = jobs.map { job in { job.fail(error) } }
            }
            // Counted before the callers resume, so that one that reads the
            // load after its write returned finds its write in it.
            let (ended, used) = (Self.nanoseconds(CLOCK_MONOTONIC), Self.nanoseconds(CLOCK_THREAD_CPUTIME_ID))
            self.counted.withLock { load in
                load.commits += 1
                load.writes += UInt64(jobs.count)
                load.busyNanoseconds += ended - started
                load.cpuNanoseconds += used - cpu
            }
            for resume in resumes { resume() }
            self.committed()
        }
    }

    /// A clock's reading in nanoseconds.
    private static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// After a group: commits what arrived meanwhile, lingers, or goes idle.
    private func committed() {
        let next = state.withLock { state in
            state.committing = false
            return Self.next(&state, deferredBatch: deferredBatch)
        }
        start(next)
    }

    /// Runs `body` in an immediate transaction, and commits it unless
    /// `body` throws. As GRDB's `inTransaction`, but its BEGIN and COMMIT
    /// are prepared once per connection, not at every group.
    private static func transaction(_ db: Database, _ body: () throws -> Void) throws {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            try body()
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
        } catch {
            if db.isInsideTransaction { try? db.rollback() }
            throw error
        }
    }

    /// Commits `jobs` in one transaction; returns what resumes their callers.
    ///
    /// First all of them plainly, one after another; writes rarely fail,
    /// and this way a group costs one BEGIN and one COMMIT. When one throws,
    /// that transaction is rolled back and the group runs again with a
    /// savepoint around each job, so only the failing ones are undone.
    private static func commit(_ jobs: [Job], _ db: Database) -> [@Sendable () -> Void] {
        var resumes: [@Sendable () -> Void] = []
        do {
            try transaction(db) {
                for job in jobs { resumes.append(try job.run(db)) }
            }
            return resumes
        } catch {
            if jobs.count == 1 {
                return [{ jobs[0].fail(error) }]
            }
        }
        resumes = []
        var failures: [(Job, any Error)] = []
        do {
            try db.inTransaction(.immediate) {
                for job in jobs {
                    do {
                        var resume: (@Sendable () -> Void)?
                        try db.inSavepoint {
                            resume = try job.run(db)
                            return .commit
                        }
                        if let resume { resumes.append(resume) }
                    } catch {
                        failures.append((job, error))
                    }
                }
                return .commit
            }
        } catch {
            // The commit itself failed: nothing of this group was written.
            return jobs.map { job in { job.fail(error) } }
        }
        return resumes + failures.map { job, error in { job.fail(error) } }
    }
}
