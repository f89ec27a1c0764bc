import Logging
import PostgresNIO
import Synchronization

/// The sessions to one system's database: a postgres-nio `PostgresClient`
/// (its connection pool), made on first use rather than when the
/// connector is made, so a database that is down when Keyward starts
/// delays only its own system's operations, which retry.
///
/// `PostgresClient` hides why it cannot connect: a request waits while
/// its pool backs off, for up to a minute, then fails with a generic
/// error. So before a client is made, one direct connection probes the
/// server, and its failure (refused, wrong password, untrusted
/// certificate, no such database) is the operation's error; and a
/// request that gets no session within the connect timeout gives up:
/// when every session is in use that is congestion (``Busy``), otherwise
/// the pool is stuck reconnecting, so the client is dropped and the next
/// operation probes again.
final class PostgresTablePool: Sendable, CustomReflectable {
    /// A client and the task that runs it.
    private struct Running: Sendable {
        let client: PostgresClient
        let task: Task<Void, Never>
    }

    /// No session came within the connect timeout, with sessions to spare: the server is away.
    struct LeaseTimeout: Error {}
    /// No session came within the connect timeout because all were in use.
    struct Busy: Error {}
    /// A session came, but the operation's statements did not end within `limit`.
    struct NoAnswer: Error {
        let limit: Duration
    }

    private let access: PostgresTableAccess
    private let logger: Logger
    private let maximumConnections: Int
    /// How long the statements of one operation may take on a session. A
    /// query on a session the server dropped can wait for ever in
    /// postgres-nio; past this, the operation fails as unreachable (and is
    /// retried) instead of holding its worker for ever.
    private let answerLimit: Duration
    private let running = Mutex<Running?>(nil)
    /// How many sessions operations hold now.
    private let inUse = Mutex(0)

    /// A pool for `access` of at most `maximumConnections` sessions;
    /// postgres-nio logs to `logger`.
    init(
        access: PostgresTableAccess, logger: Logger, maximumConnections: Int = 8, answerLimit: Duration = .seconds(30)
    ) {
        self.access = access
        self.logger = logger
        self.maximumConnections = maximumConnections
        self.answerLimit = answerLimit
    }

    deinit {
        running.withLock { $0?.task.cancel() }
    }

    /// Runs `body` on a session of the pool.
    func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let client = try await client()
        let (timeout, limit) = (access.endpoint.connectTimeout, answerLimit)
        do {
            return try await firstOutcome(
                of: { try await self.lease(client, timeout: timeout, body) }, after: timeout + limit,
                late: { NoAnswer(limit: limit) })
        } catch is LeaseTimeout {
            if inUse.withLock({ $0 }) >= maximumConnections { throw Busy() }
            discard(client)
            throw LeaseTimeout()
        } catch let error as NoAnswer {
            discard(client)
            throw error
        }
    }

    /// The running client; probes the server and starts one when there is none.
    private func client() async throws -> PostgresClient {
        if let client = running.withLock({ $0?.client }) { return client }
        let probe = try await PostgresConnection.connect(
            configuration: access.connectionConfiguration(), id: 0, logger: logger)
        try? await probe.close()
        return running.withLock { running in
            if let running { return running.client }
            let client = PostgresClient(
                configuration: access.clientConfiguration(maximumConnections: maximumConnections),
                backgroundLogger: logger)
            running = Running(client: client, task: Task { await client.run() })
            return client
        }
    }

    /// Stops `client` if it is still the running one.
    private func discard(_ client: PostgresClient) {
        running.withLock { running in
            guard let current = running, current.client === client else { return }
            current.task.cancel()
            running = nil
        }
    }

    /// Runs `body` on a session of `client`, unless none comes within
    /// `timeout`: then it throws ``LeaseTimeout`` and `body` never runs.
    private func lease<Result: Sendable>(
        _ client: PostgresClient, timeout: Duration,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let race = LeaseRace()
        return try await firstOutcome(
            of: {
                try await client.withConnection { connection in
                    guard race.lease() else { throw LeaseTimeout() }
                    self.inUse.withLock { $0 += 1 }
                    defer { self.inUse.withLock { $0 -= 1 } }
                    return try await body(connection)
                }
            }, after: timeout, late: { race.expire() ? LeaseTimeout() : nil })
    }

    var customMirror: Mirror { Mirror(self, children: []) }
}

/// Which came first: the session or the timeout.
private final class LeaseRace: Sendable {
    private enum State { case waiting, leased, expired }
    private let state = Mutex(State.waiting)

    /// True when the session came first; from then on the timeout does nothing.
    func lease() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            state = .leased
            return true
        }
    }

    /// True when the timeout came first; from then on a session is refused.
    func expire() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            state = .expired
            return true
        }
    }
}
