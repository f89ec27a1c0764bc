import Foundation
import KeywardQueueTestSupport
import Hummingbird
import KeywardConnectors
import KeywardTestSupport
import Synchronization
import Testing

@testable import KeywardCloud

/// Tokens kept until shortly before they expire, one fetch for many callers.
@Suite("Token cache", .offThePool)
struct TokenCacheTests {
    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }

    @Test("the margin: five minutes, or a tenth of a short lifetime")
    func margin() {
        #expect(AccessToken.margin(forLifetime: 3599) == 300)
        #expect(AccessToken.margin(forLifetime: 60) == 6)
    }

    @Test("expires_in as a number or a string; no token, or another type than Bearer, is nil")
    func parsing() {
        func response(_ json: String) -> CloudResponse {
            CloudResponse(status: 200, headers: [], body: ByteBuffer(string: json))
        }
        let issued = Date(timeIntervalSince1970: 0)
        let number = AccessToken(response: response(#"{"access_token":"t1","token_type":"Bearer","expires_in":3599}"#), issued: issued)
        #expect(number?.value == "t1" && number?.refreshAt == Date(timeIntervalSince1970: 3299))
        let text = AccessToken(response: response(#"{"access_token":"t2","expires_in":"1799"}"#), issued: issued)
        #expect(text?.refreshAt == Date(timeIntervalSince1970: 1799 - 179.9))
        #expect(AccessToken(response: response(#"{"token_type":"Bearer"}"#), issued: issued) == nil)
        #expect(AccessToken(response: response(#"{"access_token":"t","token_type":"MAC"}"#), issued: issued) == nil)
        #expect(AccessToken(response: response("<html>"), issued: issued) == nil)
    }

    @Test("kept until its refresh time, then fetched again")
    func keptUntilRefresh() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_000_000))
        let counter = Counter()
        let cache = TokenCache(now: { clock.now() }) { () throws(ConnectorError) in
            AccessToken(value: "token-\(counter.next())", lifetime: 3600, issued: clock.now())
        }
        #expect(try await cache.token().value == "token-1")
        clock.advance(by: 3299)
        #expect(try await cache.token().value == "token-1")
        clock.advance(by: 2)
        #expect(try await cache.token().value == "token-2")
        #expect(await cache.fetches == 2)
    }

    @Test("invalidate forgets only the token it names, so many refusals make one fetch")
    func invalidate() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_000_000))
        let counter = Counter()
        let cache = TokenCache(now: { clock.now() }) { () throws(ConnectorError) in
            AccessToken(value: "token-\(counter.next())", lifetime: 3600, issued: clock.now())
        }
        let first = try await cache.token()
        await cache.invalidate(first)
        let second = try await cache.token()
        await cache.invalidate(first)
        #expect(try await cache.token() == second)
        #expect(await cache.fetches == 2)
    }

    @Test("concurrent callers share one fetch")
    func oneFetch() async throws {
        let counter = Counter()
        let cache = TokenCache { () throws(ConnectorError) in
            try? await Task.sleep(for: .milliseconds(50))
            return AccessToken(value: "token-\(counter.next())", lifetime: 3600, issued: Date())
        }
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try await cache.token().value } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(values == ["token-1"])
        #expect(await cache.fetches == 1)
    }

    @Test("a failed fetch is reported to every waiting caller and tried again next time")
    func failedFetch() async throws {
        let counter = Counter()
        let cache = TokenCache { () throws(ConnectorError) in
            if counter.next() == 1 { throw ConnectorError(.credentialsRejected, "refused") }
            return AccessToken(value: "token", lifetime: 3600, issued: Date())
        }
        await #expect(throws: ConnectorError.self) { try await cache.token() }
        #expect(try await cache.token().value == "token")
    }
}
