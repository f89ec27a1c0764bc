import Foundation
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// `Retry-After` as seconds or an HTTP-date.
@Suite("Retry-After", .offThePool)
struct RetryAfterTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT.
    static let now = Date(timeIntervalSince1970: 784_111_777)

    @Test("seconds", arguments: [("0", Duration.zero), ("1", .seconds(1)), ("120", .seconds(120)), (" 30 ", .seconds(30))])
    func seconds(_ value: String, _ expected: Duration) {
        #expect(RetryAfter.parse(value, now: Self.now) == expected)
    }

    @Test(
        "HTTP-dates in the three forms, counted from now",
        arguments: ["Sun, 06 Nov 1994 08:51:37 GMT", "Sunday, 06-Nov-94 08:51:37 GMT", "Sun Nov  6 08:51:37 1994"])
    func dates(_ value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == .seconds(120))
    }

    @Test("a date in the past is no wait")
    func pastDate() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: Self.now) == .zero)
    }

    @Test("absent or unreadable is nil", arguments: [nil, "", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:00:00 GMT"])
    func unreadable(_ value: String?) {
        #expect(RetryAfter.parse(value, now: Self.now) == nil)
    }

    @Test("a wait beyond a day is cut to a day", arguments: ["999999999", "99999999999999999999999"])
    func capped(_ value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == RetryAfter.longest)
    }
}
