import Foundation
import Hummingbird
import KeywardConnectors
import KeywardTestSupport
import Logging
import Synchronization
import Testing

@testable import KeywardCloud

/// The bounded wait inside one attempt on 429 and 503.
@Suite("Throttling inside an attempt", .offThePool)
struct ThrottleRetryTests {
    /// Answers with `statuses` in turn (then 200), each with `retryAfter` when given.
    final class Script: Sendable {
        private let answers: Mutex<[(Int, String?)]>
        private let count = Mutex(0)

        init(_ answers: [(Int, String?)]) {
            self.answers = Mutex(answers)
        }

        var calls: Int { count.withLock { $0 } }

        func next() -> CloudResponse {
            count.withLock { $0 += 1 }
            let (status, retryAfter) = answers.withLock { $0.isEmpty ? (200, nil) : $0.removeFirst() }
            return CloudResponse(
                status: status, headers: retryAfter.map { [("Retry-After", $0)] } ?? [], body: ByteBuffer())
        }
    }

    static func run(_ script: Script, retries: Int = 2, longestWait: Duration = .seconds(10)) async throws
        -> (CloudResponse, [Duration])
    {
        let sleeps = SleepRecorder()
        let retry = ThrottleRetry(retries: retries, longestWait: longestWait, sleep: { await sleeps.record($0) })
        let response = try await retry.run("GET /users", logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }) {
            () throws(ConnectorError) in script.next()
        }
        return (response, sleeps.recorded)
    }

    @Test("429 then 200: waits what Retry-After asks, then answers")
    func waitsAndRetries() async throws {
        let script = Script([(429, "3")])
        let (response, waits) = try await Self.run(script)
        #expect(response.status == 200)
        #expect(waits == [.seconds(3)])
        #expect(script.calls == 2)
    }

    @Test("503 without Retry-After: 1 s, then 2 s")
    func fallbackWaits() async throws {
        let script = Script([(503, nil), (503, nil)])
        let (response, waits) = try await Self.run(script)
        #expect(response.status == 200)
        #expect(waits == [.seconds(1), .seconds(2)])
    }

    @Test("a wait longer than the longest allowed goes back at once, for the queue to wait")
    func tooLongGoesBack() async throws {
        let script = Script([(429, "120")])
        let (response, waits) = try await Self.run(script)
        #expect(response.status == 429 && response.header("Retry-After") == "120")
        #expect(waits.isEmpty)
        #expect(script.calls == 1)
    }

    @Test("after the retries the last 429 goes back")
    func retriesUsedUp() async throws {
        let script = Script([(429, "1"), (429, "1"), (429, "1"), (429, "1")])
        let (response, waits) = try await Self.run(script, retries: 2)
        #expect(response.status == 429)
        #expect(waits == [.seconds(1), .seconds(1)])
        #expect(script.calls == 3)
    }

    @Test("other statuses are not retried", arguments: [200, 400, 401, 404, 500])
    func noRetry(_ status: Int) async throws {
        let script = Script([(status, "1")])
        let (response, waits) = try await Self.run(script)
        #expect(response.status == status && waits.isEmpty && script.calls == 1)
    }
}
