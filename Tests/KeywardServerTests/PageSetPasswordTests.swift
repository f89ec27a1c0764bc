import Foundation
import KeywardStore
import KeywardTestSupport
import Testing

/// The two-way initialization page over real HTTP: the form, the password
/// it sets down to the target table, and every refusal.
@Suite("Pages: set-password link", .offThePool)
struct PageSetPasswordTests {
    static let chosen = Canary.password + "-link"

    @Test func theLinkShowsTheFormAndSetsThePasswordOnTheSystem() async throws {
        try await PageFixture.with { fixture in
            let link = try await fixture.link("ada")

            let form = try await fixture.visitor.get(link)
            #expect(form.status == 200)
            #expect(form.body.contains("<html lang=\"en\">"))
            #expect(form.body.contains("Hello Ada Test"))
            #expect(form.body.contains("<strong>hr</strong>"))
            #expect(form.body.contains("autocomplete=\"new-password\""))
            #expect(form.body.contains("<label for=\"new\">") && form.body.contains("<label for=\"confirm\">"))
            #expect(!form.body.contains("<script"))
            let cookie = try #require(form.header("Set-Cookie"))
            #expect(cookie.hasPrefix("keyward-csrf="))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(form.header("Content-Security-Policy")?.contains("default-src 'none'") == true)

            let token = try PageVisitor.csrf(in: form.body, action: link)
            let visitor = fixture.visitor
            let done = try await fixture.whileWorking {
                try await visitor.post(link, [("csrf", token), ("new", Self.chosen), ("confirm", Self.chosen)])
            }
            #expect(done.status == 200)
            #expect(done.body.contains("Your password is set"))
            #expect(done.body.contains("This link cannot be used again"))
            #expect(try fixture.server.holds(Self.chosen, login: "ada"))
            let operations = try await fixture.operations()
            #expect(operations.map(\.requestedBy) == ["link"])
            #expect(operations.map(\.state) == [.executed])

            #expect(try fixture.leaks(of: Self.chosen).isEmpty)
            let logged = fixture.server.logs.lines.filter { $0.contains("/set-password/") }
            #expect(logged.contains { $0.contains("POST /set-password/… 200") })
            #expect(!logged.contains { $0.contains(String(link.dropFirst("/set-password/".count))) }, "the link's token is in the access log")
        }
    }

    @Test func aUsedLinkIsGoneAndCannotSetAPasswordAgain() async throws {
        try await PageFixture.with { fixture in
            let link = try await fixture.link("ada")
            let visitor = fixture.visitor
            _ = try await fixture.whileWorking {
                try await visitor.submit(link, action: link, [("new", Self.chosen), ("confirm", Self.chosen)])
            }

            let again = try await fixture.visitor.get(link)
            #expect(again.status == 410)
            #expect(again.body.contains("This link does not work"))
            #expect(again.body.contains("used already"))
            #expect(again.body.contains("Ask your helpdesk"))
            #expect(try await fixture.operations().count == 1)
        }
    }

    @Test func anUnknownLinkIs404AndAnExpiredOrReplacedOneIs410() async throws {
        try await PageFixture.with { fixture in

            let unknown = try await fixture.visitor.get("/set-password/no-such-link-0123456789")
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("not valid"))

            let expired = try await fixture.visitor.get(try await fixture.expiredLink("grace"))
            #expect(expired.status == 410)
            #expect(expired.body.contains("expired"))

            let first = try await fixture.link("linus")
            _ = try await fixture.link("linus")
            let replaced = try await fixture.visitor.get(first)
            #expect(replaced.status == 410)
            #expect(replaced.body.contains("replaced"))
            #expect(try await fixture.operations().isEmpty)
        }
    }

    @Test func aMismatchOrAWeakPasswordShowsTheFormAgainAndTheLinkStillWorks() async throws {
        try await PageFixture.with { fixture in
            let link = try await fixture.link("ada")

            let mismatch = try await fixture.visitor.submit(link, action: link, [("new", Self.chosen), ("confirm", Self.chosen + "x")])
            #expect(mismatch.status == 422)
            #expect(mismatch.body.contains("There is a problem"))
            #expect(mismatch.body.contains("<a href=\"#confirm\">The two passwords are not the same"))
            #expect(mismatch.body.contains("aria-invalid=\"true\""))

            let weak = try await fixture.visitor.submit(link, action: link, [("new", "short"), ("confirm", "short")])
            #expect(weak.status == 422)
            #expect(weak.body.contains("<a href=\"#new\">"))
            #expect(weak.body.contains("8"), "the policy's minimum length is named: \(weak.body)")
            #expect(!weak.body.contains("value=\"short\""))
            #expect(try await fixture.operations().isEmpty)

            let visitor = fixture.visitor
            let good = try await fixture.whileWorking {
                try await visitor.submit(link, action: link, [("new", Self.chosen), ("confirm", Self.chosen)])
            }
            #expect(good.status == 200)
            #expect(try fixture.server.holds(Self.chosen, login: "ada"))
            #expect(try fixture.leaks(of: Self.chosen).isEmpty)
        }
    }
}
