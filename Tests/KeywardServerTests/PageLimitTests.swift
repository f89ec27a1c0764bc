import Foundation
import KeywardServer
import KeywardTestSupport
import Testing

/// Password and token posts take attempts per client and per account; over
/// the limit, a 429 page with `Retry-After` and nothing done.
@Suite("Pages: attempt limits", .offThePool)
struct PageLimitTests {
    @Test func theAccountLimitStopsChangeAttemptsWithRetryAfter() async throws {
        try await PageFixture.with({ $0.attemptsPerAccountPerHour = 2 }) { fixture in
            try await fixture.server.createAccount("ada", password: "Old-password-42")
            let fields = [("username", "ada"), ("current", "x"), ("new", "a"), ("confirm", "b")]

            for _ in 0..<2 {
                #expect(try await fixture.visitor.submit("/change", action: "/change", fields).status == 422)
            }
            let limited = try await fixture.visitor.submit("/change", action: "/change", fields)
            #expect(limited.status == 429)
            #expect(limited.body.contains("Too many attempts"))
            let wait = try #require(Int(limited.header("Retry-After") ?? ""))
            #expect(wait > 0 && wait <= 3600)

            // Another person is not limited by ada's attempts.
            let other = try await fixture.visitor.submit(
                "/change", action: "/change", [("username", "grace"), ("current", "x"), ("new", "a"), ("confirm", "b")])
            #expect(other.status == 422)
            #expect(try await fixture.operations().count == 1, "only the account's creation")
        }
    }

    @Test func theClientLimitStopsTokenAndLinkGuessing() async throws {
        try await PageFixture.with({ $0.attemptsPerClientPerMinute = 3 }) { fixture in
            for attempt in 0..<3 {
                #expect(try await fixture.visitor.get("/set-password/guess-\(attempt)").status == 404)
            }
            let limited = try await fixture.visitor.get("/set-password/guess-4")
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") != nil)

            let signIn = try await fixture.visitor.submit("/helpdesk/login", action: "/helpdesk/login", [("token", "kw_guess")])
            #expect(signIn.status == 429)
            fixture.clock.advance(seconds: 60)
            let later = try await fixture.visitor.submit("/helpdesk/login", action: "/helpdesk/login", [("token", "kw_guess")])
            #expect(later.status == 401)
        }
    }
}
