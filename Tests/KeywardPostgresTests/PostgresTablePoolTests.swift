import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

@testable import KeywardPostgres

/// The pool's two kinds of waiting too long: every session busy (the
/// client is kept, the operation may retry) and none to be had.
@Suite("PostgresTable: pool", .offThePool)
struct PostgresTablePoolTests {
    typealias F = PostgresTableFixture

    @Test func aWaitWhileEverySessionIsBusyIsTimedOutAndKeepsTheSessions() async throws {
        let fixture = try F()
        // Long enough for the first session to connect on a loaded machine.
        let connector = try fixture.connector(["url": .plain(fixture.database.url + "&connect_timeout=5")])
        let pool = PostgresTablePool(access: connector.settings.access, logger: connector.logger, maximumConnections: 1)
        let (held, hold) = AsyncStream.makeStream(of: Void.self)
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        // However the test ends, the holder is let go (no hang, a failure).
        defer { releaser.finish() }
        let holder = Task {
            // A holder that fails before it holds ends the wait below.
            defer { hold.finish() }
            return try await pool.withConnection { connection in
                hold.yield()
                for await _ in release { break }
                // The session still works: the client was not dropped under it.
                return try await connection.query("SELECT 1", logger: connector.logger).collect().count
            }
        }
        for await _ in held { break }

        let error = await #expect(throws: PostgresTablePool.Busy.self) {
            _ = try await pool.withConnection { _ in 0 }
        }
        #expect(connector.failure.connectorError(for: try #require(error)).kind == .timedOut)
        releaser.yield()
        #expect(try await holder.value == 1)
        #expect(try await pool.withConnection { _ in 2 } == 2)
    }

    @Test func statementsThatNeverEndFailAsUnreachableAndTheNextOperationGetsAFreshClient() async throws {
        let fixture = try F()
        let connector = try fixture.connector(["url": .plain(fixture.database.url + "&connect_timeout=5")])
        let pool = PostgresTablePool(access: connector.settings.access, logger: connector.logger, answerLimit: .seconds(1))
        let released = Released()
        defer { released.set() }
        let start = ContinuousClock.now
        // As a query on a session the server dropped can: it ignores its cancellation.
        let error = await #expect(throws: PostgresTablePool.NoAnswer.self) {
            _ = try await pool.withConnection { _ in
                while !released.isSet { usleep(10_000) }
                return 0
            }
        }
        #expect(ContinuousClock.now - start < .seconds(30), "answered at its limit, not when the body ended")
        let failure = connector.failure.connectorError(for: try #require(error))
        #expect(failure.kind == .unreachable)
        #expect(failure.message.contains("did not answer within 1 s"), "\(failure.message)")
        #expect(try await pool.withConnection { _ in 2 } == 2)
    }
}

/// Set once, from any thread.
private final class Released: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
