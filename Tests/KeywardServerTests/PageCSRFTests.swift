import Foundation
import NIOHTTP1
import KeywardTestSupport
import Testing

/// Every form post needs the token of its own form under the visitor's
/// cookie (or session), and a same-origin browser; otherwise 403 and
/// nothing is done.
@Suite("Pages: CSRF", .offThePool)
struct PageCSRFTests {
    static let password = Canary.password + "-csrf"
    static let expiredForm = "This form expired or did not come from Keyward; reload the page and try again."

    /// Posts `fields` to a fresh link's form and expects the 403 page with nothing queued.
    func expectRefused(
        _ fixture: PageFixture, link: String, fields: [(String, String)], headers: [(String, String)] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let reply = try await fixture.visitor.post(
            link, fields + [("new", Self.password), ("confirm", Self.password)], headers: headers)
        #expect(reply.status == 403, sourceLocation: sourceLocation)
        #expect(reply.body.contains(Self.expiredForm), sourceLocation: sourceLocation)
        #expect(try await fixture.operations().isEmpty, sourceLocation: sourceLocation)
    }

    @Test func aPostWithoutOrWithAWrongTokenIsRefusedAndTheLinkStillWorks() async throws {
        try await PageFixture.with { fixture in
            let link = try await fixture.link("ada")
            let token = try PageVisitor.csrf(in: try await fixture.visitor.get(link).body, action: link)

            try await expectRefused(fixture, link: link, fields: [])
            try await expectRefused(fixture, link: link, fields: [("csrf", "")])
            try await expectRefused(fixture, link: link, fields: [("csrf", String(token.reversed()))])
            // Another form's token (the change page's) does not fit this form.
            let other = try PageVisitor.csrf(in: try await fixture.visitor.get("/change").body, action: "/change")
            try await expectRefused(fixture, link: link, fields: [("csrf", other)])

            #expect(try await fixture.visitor.get(link).status == 200)
            #expect(try fixture.leaks(of: Self.password).isEmpty)
        }
    }

    @Test func aTokenWithoutItsCookieIsRefused() async throws {
        try await PageFixture.with { fixture in
            let link = try await fixture.link("ada")
            let token = try PageVisitor.csrf(in: try await fixture.visitor.get(link).body, action: link)
            fixture.visitor.cookies = [:]

            try await expectRefused(fixture, link: link, fields: [("csrf", token)])
            fixture.visitor.cookies = ["keyward-csrf": String(repeating: "A", count: 43)]
            try await expectRefused(fixture, link: link, fields: [("csrf", token)])
        }
    }

    @Test func aCrossSitePostIsRefusedEvenWithAValidToken() async throws {
        try await PageFixture.with { fixture in
            let link = try await fixture.link("ada")
            let token = try PageVisitor.csrf(in: try await fixture.visitor.get(link).body, action: link)

            try await expectRefused(fixture, link: link, fields: [("csrf", token)], headers: [("Origin", "https://evil.example")])
            try await expectRefused(fixture, link: link, fields: [("csrf", token)], headers: [("Origin", "null"), ("Sec-Fetch-Site", "cross-site")])
            try await expectRefused(fixture, link: link, fields: [("csrf", token)], headers: [("Sec-Fetch-Site", "cross-site")])

            // The same token from the server's own origin works.
            let visitor = fixture.visitor
            let origin = fixture.server.baseURL
            let done = try await fixture.whileWorking {
                try await visitor.post(
                    link, [("csrf", token), ("new", Self.password), ("confirm", Self.password)],
                    headers: [("Origin", origin), ("Sec-Fetch-Site", "same-origin")])
            }
            #expect(done.status == 200)
            #expect(try fixture.server.holds(Self.password, login: "ada"))
            // Chromium's own post from our page: `Origin: null` (the pages'
            // no-referrer policy) and same-origin; the token decides.
            let again = try await fixture.link("grace")
            let graceToken = try PageVisitor.csrf(in: try await fixture.visitor.get(again).body, action: again)
            let accepted = try await fixture.whileWorking {
                try await visitor.post(
                    again, [("csrf", graceToken), ("new", Self.password), ("confirm", Self.password)],
                    headers: [("Origin", "null"), ("Sec-Fetch-Site", "same-origin")])
            }
            #expect(accepted.status == 200)
            #expect(try fixture.server.holds(Self.password, login: "grace"))
        }
    }

    @Test func aFormPostOfAnotherTypeIsRefused() async throws {
        try await PageFixture.with { fixture in
            let reply = try await fixture.server.request(.POST, "/change", body: "{\"username\":\"ada\"}")
            #expect(reply.status == 415)
            #expect(try await fixture.operations().isEmpty)
        }
    }
}
