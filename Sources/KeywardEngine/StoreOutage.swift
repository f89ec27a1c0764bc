import KeywardStore
import Logging

/// How a long-running worker rides out a store that cannot be reached for
/// now (a PostgreSQL server restarting, a network cut, a SQLite file held
/// too long): it logs the outage once, waits with a growing pause (1 s
/// doubling to 30 s), tries again, and logs when the store answers again.
/// Nothing is lost meanwhile: what was queued stays queued.
struct StoreOutage {
    /// The pause before the next try.
    private(set) var delay: Duration = .seconds(1)
    /// The longest pause.
    let maximum: Duration = .seconds(30)
    /// Whether the outage has been logged (it is logged once).
    private(set) var isOngoing = false

    /// Whether `error` is an outage to wait out rather than a failure.
    static func isOutage(_ error: any Error) -> Bool {
        (error as? StoreError)?.isTransient ?? false
    }

    /// Logs the outage (once), then waits the current pause and grows it.
    mutating func pause(after error: any Error, logger: Logger, worker: String) async {
        if !isOngoing {
            isOngoing = true
            let kind = (error as? StoreError)?.kind.rawValue ?? "error"
            logger.warning("\(worker): the store is unavailable (\(kind)); trying again with pauses up to \(maximum)")
        }
        try? await Task.sleep(for: delay)
        delay = min(delay * 2, maximum)
    }

    /// The store answered: logs the end of an outage, resets the pause.
    mutating func recovered(logger: Logger, worker: String) {
        if isOngoing { logger.notice("\(worker): the store answers again") }
        isOngoing = false
        delay = .seconds(1)
    }
}

extension StoreOutage {
    /// Runs `write` until it succeeds, waiting out outages for up to
    /// `patience`: an attempt's outcome, once its connector has acted, is
    /// worth waiting for (recording it later means running it again).
    static func persist(
        patience: Duration = .seconds(120), logger: Logger, worker: String, _ write: () async throws -> Void
    ) async throws {
        let deadline = ContinuousClock.now + patience
        var outage = StoreOutage()
        while true {
            do {
                try await write()
                outage.recovered(logger: logger, worker: worker)
                return
            } catch where isOutage(error) && ContinuousClock.now < deadline {
                await outage.pause(after: error, logger: logger, worker: worker)
            }
        }
    }
}
