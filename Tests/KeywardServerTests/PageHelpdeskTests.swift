import Foundation
import KeywardCore
import KeywardEngine
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// The helpdesk pages over real HTTP: sign-in with a `helpdesk` token, the
/// session cookie, the buttons each system's capabilities allow, and what
/// they do.
@Suite("Pages: helpdesk", .offThePool)
struct PageHelpdeskTests {
    @Test func signingInNeedsATokenWithTheHelpdeskScope() async throws {
        try await PageFixture.with { fixture in
            let login = try await fixture.visitor.get("/helpdesk")
            #expect(login.status == 303)
            #expect(login.header("Location") == "/helpdesk/login")

            let reader = try await fixture.token("reader", scopes: ["queue:read"])
            let refused = try await fixture.visitor.submit("/helpdesk/login", action: "/helpdesk/login", [("token", reader)])
            #expect(refused.status == 401)
            #expect(refused.body.contains("lacks the helpdesk scope"))
            #expect(!refused.body.contains(reader))

            let signedIn = try await fixture.signIn()
            #expect(signedIn.status == 303)
            #expect(signedIn.header("Location") == "/helpdesk")
            let cookie = try #require(signedIn.header("Set-Cookie"))
            #expect(cookie.hasPrefix("keyward-helpdesk="))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/helpdesk", "Max-Age=28800"] {
                #expect(cookie.contains(attribute), "\(attribute) missing from \(cookie)")
            }
            #expect(!cookie.contains("Secure"))
            let page = try await fixture.visitor.get("/helpdesk")
            #expect(page.status == 200)
            #expect(page.body.contains("Signed in as alice"))
            #expect(fixture.server.logs.lines.contains { $0.contains("helpdesk sign-in: alice") })
        }
    }

    @Test func theSessionCookieIsSecureOverHTTPS() async throws {
        try await PageFixture.with({ $0.secureTransport = true }) { fixture in
            let signedIn = try await fixture.signIn()
            let cookies = signedIn.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
            #expect(cookies.contains { $0.hasPrefix("__Secure-keyward-helpdesk=") && $0.contains("Secure") })
        }
    }

    @Test func theButtonsFollowTheCapabilityMatrix() async throws {
        try await PageFixture.with(mail: true) { fixture in
            try await fixture.server.createAccount("ada", system: "hr", password: "Old-password-42")
            try await fixture.server.createAccount("ada", system: "payroll", password: "Old-password-42")
            _ = try await fixture.signIn()

            let page = try await fixture.visitor.get("/helpdesk?user=ada")
            #expect(page.status == 200)
            let hr = try Self.row("hr", in: page.body)
            let payroll = try Self.row("payroll", in: page.body)
            #expect(hr.contains("value=\"reset\"") && hr.contains("value=\"unlock\""))
            #expect(payroll.contains("value=\"reset\""))
            #expect(!payroll.contains("value=\"unlock\""), "payroll does not support unlock")
            #expect(!hr.contains("initialize"), "ada has an account on hr")

            let grace = try await fixture.visitor.get("/helpdesk?user=grace")
            let graceHR = try Self.row("hr", in: grace.body)
            #expect(graceHR.contains("value=\"initialize-one-way\"") && graceHR.contains("value=\"initialize-two-way\""))
            #expect(!graceHR.contains("value=\"reset\""))

            let nobody = try await fixture.visitor.get("/helpdesk?user=nobody")
            #expect(nobody.body.contains("Keyward knows nobody with the username nobody."))
        }
    }

    @Test func withoutMailThereIsNoInitializeButton() async throws {
        try await PageFixture.with { fixture in
            _ = try await fixture.signIn()
            let page = try await fixture.visitor.get("/helpdesk?user=grace")
            #expect(!page.body.contains("initialize-"))
            #expect(page.body.contains("Mail is not configured"))
        }
    }

    @Test func unlockAndResetRunThroughTheDeskAsTheHelpdesk() async throws {
        try await PageFixture.with(mail: true) { fixture in
            try await fixture.server.createAccount("ada", password: "Old-password-42")
            try fixture.server.lock("ada")
            _ = try await fixture.signIn()
            let visitor = fixture.visitor

            let unlocked = try await fixture.whileWorking {
                try await Self.press("unlock", system: "hr", user: "ada", visitor)
            }
            #expect(unlocked.status == 200)
            #expect(unlocked.body.contains("ada&#39;s account on hr is unlocked") || unlocked.body.contains("ada's account on hr is unlocked"))
            #expect(try fixture.server.row("ada")?.locked == 0)

            let before = try fixture.server.row("ada")?.passwordHash
            let reset = try await fixture.whileWorking {
                try await Self.press("reset", system: "hr", user: "ada", visitor)
            }
            #expect(reset.status == 200)
            #expect(reset.body.contains("not shown here"))
            #expect(try fixture.server.row("ada")?.passwordHash != before)
            #expect(try fixture.server.row("ada")?.mustChange == 1)
            #expect(!(try fixture.server.holds("Old-password-42", login: "ada")))
            let actors = try await fixture.operations().map(\.requestedBy)
            #expect(actors.suffix(2) == ["helpdesk:alice", "helpdesk:alice"])
            #expect(fixture.mail?.all.map(\.kind.rawValue) == ["unlock", "reset-one-way"])
        }
    }

    @Test func aTwoWayInitializationMailsALinkThatSetsThePassword() async throws {
        try await PageFixture.with(mail: true) { fixture in
            _ = try await fixture.signIn()
            let sent = try await Self.press("initialize-two-way", system: "hr", user: "grace", fixture.visitor)
            #expect(sent.status == 200)
            #expect(sent.body.contains("A set-password link for hr was mailed to grace"))
            let notice = try #require(fixture.mail?.all.first)
            #expect(notice.requester == "helpdesk:alice")
            let link = try #require(notice.link?.withPlaintext { $0 })
            let path = String(link.dropFirst(ServerHarness.publicURL.count))

            let chosen = Canary.password + "-invited"
            let visitor = fixture.visitor
            let done = try await fixture.whileWorking {
                try await visitor.submit(path, action: path, [("new", chosen), ("confirm", chosen)])
            }
            #expect(done.body.contains("Your password is set"))
            #expect(try fixture.server.holds(chosen, login: "grace"))
            #expect(try fixture.leaks(of: chosen).isEmpty)
        }
    }

    @Test func signingOutOrExpiringEndsTheSessionAndItsForms() async throws {
        try await PageFixture.with({ $0.sessionLifetime = .seconds(600) }) { fixture in
            try await fixture.server.createAccount("ada", password: "Old-password-42")
            _ = try await fixture.signIn()
            let page = try await fixture.visitor.get("/helpdesk?user=ada")
            let unlockToken = try PageVisitor.csrf(in: page.body, action: "/helpdesk/unlock")
            let session = try #require(fixture.visitor.cookies["keyward-helpdesk"])

            // A wrong token on a signed-in form: 403, nothing queued.
            let forged = try await fixture.visitor.post(
                "/helpdesk/unlock", [("csrf", "x"), ("user", "ada"), ("system", "hr")])
            #expect(forged.status == 403)

            let out = try await fixture.visitor.submit("/helpdesk?user=ada", action: "/helpdesk/logout", [])
            #expect(out.status == 303)
            #expect(out.header("Location") == "/helpdesk/login")
            #expect(fixture.visitor.cookies["keyward-helpdesk"] == nil)
            // The old cookie and its form no longer work.
            fixture.visitor.cookies["keyward-helpdesk"] = session
            #expect(try await fixture.visitor.get("/helpdesk").status == 303)
            let replayed = try await fixture.visitor.post("/helpdesk/unlock", [("csrf", unlockToken), ("user", "ada"), ("system", "hr")])
            #expect(replayed.status == 303)
            #expect(replayed.header("Location") == "/helpdesk/login")

            _ = try await fixture.signIn("bob")
            #expect(try await fixture.visitor.get("/helpdesk").status == 200)
            fixture.clock.advance(seconds: 601)
            #expect(try await fixture.visitor.get("/helpdesk").status == 303)
            #expect(try await fixture.operations().count == 1, "only the account's creation")
        }
    }

    /// Gets the person's helpdesk page and presses the button `value` of `system`'s row.
    static func press(_ value: String, system: String, user: String, _ visitor: PageVisitor) async throws -> ServerHarness.Reply {
        let page = try await visitor.get("/helpdesk?user=\(user)")
        let row = try Self.row(system, in: page.body)
        guard let button = row.range(of: "value=\"\(value)\"") else { throw PageTestError("no \(value) button for \(system)") }
        let form = row[..<button.lowerBound]
        guard let start = form.range(of: "<form", options: .backwards) else { throw PageTestError("no form") }
        let html = String(form[start.lowerBound...])
        let action = try Self.attribute("action", in: html)
        var fields = [("csrf", try Self.value(of: "csrf", in: html)), ("user", user), ("system", system)]
        if html.contains("name=\"mode\"") { fields.append(("mode", try Self.value(of: "mode", in: html))) }
        if html.contains("name=\"mustChange\"") { fields.append(("mustChange", "on")) }
        return try await visitor.post(action, fields)
    }

    /// The HTML of `system`'s row.
    static func row(_ system: String, in html: String) throws -> String {
        guard let start = html.range(of: "<tr id=\"system-\(system)\">"),
            let end = html[start.upperBound...].range(of: "</tr>")
        else { throw PageTestError("no row for \(system) in:\n\(html)") }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func attribute(_ name: String, in html: String) throws -> String {
        guard let start = html.range(of: "\(name)=\""), let end = html[start.upperBound...].firstIndex(of: "\"") else {
            throw PageTestError("no \(name) in \(html)")
        }
        return String(html[start.upperBound..<end])
    }

    static func value(of field: String, in html: String) throws -> String {
        guard let start = html.range(of: "name=\"\(field)\" value=\"") else { throw PageTestError("no field \(field)") }
        let rest = html[start.upperBound...]
        return String(rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)])
    }
}
