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
/// transactions would; when a lone write arrives on an idle store, it is
/// committed at once.
///
/// What this saves is the fixed cost of a transaction (a WAL commit and its
/// sync, the writer queue's hops), which dominates a queue's small writes:
/// the workers' `finish` calls and concurrent requests share commits.
final class GroupCommit: Sendable {
    /// One caller's write: `run` applies it and returns how to resume the
    /// caller after the commit; `fail` resumes it with an error.
    private struct Job: Sendable {
        let run: @Sendable (Database) throws -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
        let durable: Bool
    }

    private struct State {
        var pending: [Job] = []
        var committing = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// The most writes in one transaction, so a flood of writers still
    /// sees commits at a steady pace.
    private let limit: Int

    init(pool: DatabasePool, limit: Int = 256) {
        self.pool = pool
        self.limit = limit
    }

    /// Runs `updates` in the next group transaction; returns its result
    /// once that transaction has committed.
    ///
    /// A `durable` write returns once its transaction is synced to disk
    /// (`synchronous = FULL`). A write that is not durable is committed
    /// without a sync of its own (`NORMAL`): a power cut may undo it, until
    /// the next durable commit syncs the WAL it was appended to. A group
    /// holding one durable write is synced as a whole.
    func write<T: Sendable>(durable: Bool, _ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let value = try updates(db)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) },
                durable: durable)
            let start = state.withLock { state in
                state.pending.append(job)
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if start { commitPending() }
        }
    }

    /// Takes the waiting writes (up to `limit`) and commits them; when that
    /// is done, does the same for those that arrived meanwhile.
    private func commitPending() {
        let jobs = state.withLock { state in
            let taken = Array(state.pending.prefix(limit))
            state.pending.removeFirst(taken.count)
            if taken.isEmpty { state.committing = false }
            return taken
        }
        guard !jobs.isEmpty else { return }
        let durable = jobs.contains(where: \.durable)
        pool.asyncWriteWithoutTransaction { db in
            do {
                try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            } catch {
                for job in jobs { job.fail(error) }
                self.commitPending()
                return
            }
            Self.commit(jobs, db)
            self.commitPending()
        }
    }

    /// Commits `jobs` in one transaction and resumes their callers.
    ///
    /// First all of them plainly, one after another; writes rarely fail,
    /// and this way a group costs one BEGIN and one COMMIT. When one throws,
    /// that transaction is rolled back and the group runs again with a
    /// savepoint around each job, so only the failing ones are undone.
    private static func commit(_ jobs: [Job], _ db: Database) {
        var resumes: [@Sendable () -> Void] = []
        do {
            try db.inTransaction(.immediate) {
                for job in jobs { resumes.append(try job.run(db)) }
                return .commit
            }
            for resume in resumes { resume() }
            return
        } catch {
            if jobs.count == 1 {
                jobs[0].fail(error)
                return
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
            for job in jobs { job.fail(error) }
            return
        }
        for resume in resumes { resume() }
        for (job, error) in failures { job.fail(error) }
    }
}
