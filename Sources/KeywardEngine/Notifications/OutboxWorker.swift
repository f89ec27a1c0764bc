public import Foundation
public import KeywardStore
public import Logging

/// Delivers the outbox: claims the mails that are due (their operations
/// executed), sends each through the ``Mailer``, and records the result —
/// a sent mail is deleted; a passing failure (``MailError/isTransient``:
/// unreachable, timed out, connection lost, a 4xx reply) is tried again
/// after a growing delay, up to ``maxAttempts``; any other failure (a
/// refused login, a rejected recipient, an untrusted certificate) gives the
/// mail up at once. A given-up mail is deleted too, with an audit entry
/// saying why: a one-way password is never kept waiting for a mail server
/// that will not take it.
///
/// Run it beside the queue's ``Executor`` (``run(pollInterval:)``), or call
/// ``drain()`` after the executor's.
public struct OutboxWorker: Sendable {
    /// The outbox.
    public let outbox: any NotificationOutbox
    /// How mails leave.
    public let mailer: any Mailer
    /// One line per delivery failure (kind, system, username; never an
    /// address or the body).
    public let logger: Logger
    /// How many mails are claimed at a time.
    public var batchSize: Int
    /// Deliveries tried before a mail is given up (transient failures).
    public var maxAttempts: Int
    /// The delay after the first failed delivery; it doubles after each
    /// further one, up to ``maxDelay``.
    public var firstDelay: Duration
    /// The longest delay between two deliveries.
    public var maxDelay: Duration
    /// How long a claimed mail is left to its worker: when the worker dies
    /// mid-delivery, the mail is claimed again after this (it may then
    /// arrive twice; it is never lost).
    public var lease: Duration
    /// The clock.
    public let now: @Sendable () -> Date

    /// Creates a worker.
    public init(
        outbox: any NotificationOutbox, mailer: any Mailer, logger: Logger = Logger(label: "keyward.outbox"),
        batchSize: Int = 16, maxAttempts: Int = 8, firstDelay: Duration = .seconds(30), maxDelay: Duration = .seconds(3600),
        lease: Duration = .seconds(600), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.outbox = outbox
        self.mailer = mailer
        self.logger = logger
        self.batchSize = max(1, batchSize)
        self.maxAttempts = max(1, maxAttempts)
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
        self.lease = lease
        self.now = now
    }

    /// What one pass did.
    public struct Report: Sendable, Equatable {
        /// Mails delivered (and deleted).
        public var sent = 0
        /// Mails that failed for a passing reason and wait for another try.
        public var retrying = 0
        /// Mails given up (and deleted).
        public var givenUp = 0

        /// How many mails were claimed.
        public var claimed: Int { sent + retrying + givenUp }

        /// An empty report.
        public init(sent: Int = 0, retrying: Int = 0, givenUp: Int = 0) {
            self.sent = sent
            self.retrying = retrying
            self.givenUp = givenUp
        }
    }

    /// Claims one batch of due mails and delivers them, one after another.
    public func runBatch() async throws -> Report {
        let claimed = try await outbox.claimDueMail(limit: batchSize, now: now(), lease: lease)
        var report = Report()
        for mail in claimed {
            try await deliver(mail, into: &report)
        }
        return report
    }

    /// Runs batches until no mail is due.
    @discardableResult
    public func drain() async throws -> Report {
        var total = Report()
        while true {
            let report = try await runBatch()
            if report.claimed == 0 { return total }
            total.sent += report.sent
            total.retrying += report.retrying
            total.givenUp += report.givenUp
        }
    }

    /// Runs until the task is cancelled, sleeping `pollInterval` when no
    /// mail is due. A batch in hand is finished first. A store that cannot
    /// be reached for now is waited out, as the executor does.
    public func run(pollInterval: Duration = .seconds(1)) async throws {
        var outage = StoreOutage()
        while !Task.isCancelled {
            do {
                let report = try await Task.detached { try await runBatch() }.value
                outage.recovered(logger: logger, worker: "outbox")
                if report.claimed == 0 {
                    try? await Task.sleep(for: pollInterval)
                }
            } catch where StoreOutage.isOutage(error) {
                await outage.pause(after: error, logger: logger, worker: "outbox")
            }
        }
    }

    /// The delay before attempt `attempts + 1`.
    public func delay(after attempts: Int) -> Duration {
        var delay = firstDelay
        for _ in 1..<max(1, attempts) where delay < maxDelay { delay *= 2 }
        return min(delay, maxDelay)
    }

    private func deliver(_ claimed: ClaimedOutboxMail, into report: inout Report) async throws {
        let time = now()
        guard let kind = NotificationKind(rawValue: claimed.kind) else {
            try await outbox.mailGivenUp(id: claimed.id, reason: "`\(claimed.kind)` is no notification kind this Keyward knows", now: time)
            report.givenUp += 1
            return
        }
        guard claimed.attempts <= maxAttempts else {
            // Claimed again and again by workers that died before recording.
            try await outbox.mailGivenUp(id: claimed.id, reason: "its deliveries were interrupted", now: time)
            report.givenUp += 1
            return
        }
        do throws(MailError) {
            let mail = try OutboxPayload.decode(
                claimed.payload, kind: kind, system: claimed.system, username: claimed.username)
            try await mailer.send(mail)
        } catch {
            let metadata: Logger.Metadata = [
                "kind": "\(claimed.kind)", "system": "\(claimed.system)", "username": "\(claimed.username)",
                "attempt": "\(claimed.attempts)", "error": "\(error.kind.rawValue)",
            ]
            if error.isTransient, claimed.attempts < maxAttempts {
                let next = now().addingTimeInterval(Self.seconds(delay(after: claimed.attempts)))
                logger.warning("mail not sent; trying again later", metadata: metadata)
                try await outbox.mailFailed(id: claimed.id, error: error.message, nextAttempt: next, now: now())
                report.retrying += 1
            } else {
                logger.error("mail given up", metadata: metadata)
                let why = error.isTransient ? error.message : "\(error.message) (not a passing failure; not tried again)"
                try await outbox.mailGivenUp(id: claimed.id, reason: why, now: now())
                report.givenUp += 1
            }
            return
        }
        try await outbox.mailSent(id: claimed.id, now: now())
        report.sent += 1
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
