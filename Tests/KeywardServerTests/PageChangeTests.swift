import Foundation
import KeywardStore
import KeywardTestSupport
import Testing

/// The self-service change page over real HTTP: the systems offered, the
/// change down to the target table, the current password verified by the
/// system, and the refusals.
@Suite("Pages: self-service change", .offThePool)
struct PageChangeTests {
    static let old = "Old-password-42"
    static let new = Canary.password + "-change"

    func change(_ fixture: PageFixture, current: String, new: String = Self.new, confirm: String? = nil, systems: [String] = [])
        async throws -> ServerHarness.Reply
    {
        let visitor = fixture.visitor
        let fields = [("username", "ada"), ("current", current), ("new", new), ("confirm", confirm ?? new)] + systems.map { ("system", $0) }
        return try await fixture.whileWorking {
            try await visitor.submit("/change", action: "/change", fields)
        }
    }

    @Test func theFormOffersOnlyTheSystemsThatSupportChange() async throws {
        try await PageFixture.with { fixture in
            let page = try await fixture.visitor.get("/change")
            #expect(page.status == 200)
            #expect(page.body.contains("autocomplete=\"current-password\""))
            #expect(page.body.contains("autocomplete=\"new-password\""))
            #expect(page.body.contains("value=\"hr\""))
            #expect(!page.body.contains("value=\"payroll\""), "payroll does not support change")
        }
    }

    @Test func aChangeIsVerifiedAndAppliedByTheSystem() async throws {
        try await PageFixture.with { fixture in
            try await fixture.server.createAccount("ada", password: Self.old)

            let result = try await change(fixture, current: Self.old, systems: ["hr"])
            #expect(result.status == 200)
            #expect(result.body.contains("Your password was changed on every system."))
            #expect(result.body.contains("<th scope=\"row\">hr</th>"))
            #expect(result.body.contains("Done"))
            #expect(try fixture.server.holds(Self.new, login: "ada"))
            let operations = try await fixture.operations()
            #expect(operations.last?.requestedBy == "self:ada")
            #expect(try fixture.leaks(of: Self.new).isEmpty)
            #expect(try fixture.leaks(of: Self.old).isEmpty)
        }
    }

    @Test func aWrongCurrentPasswordIsRefusedByTheSystemWithItsMessage() async throws {
        try await PageFixture.with { fixture in
            try await fixture.server.createAccount("ada", password: Self.old)

            let result = try await change(fixture, current: "Not-the-password-1")
            #expect(result.status == 200)
            #expect(result.body.contains("Some systems did not change your password"))
            #expect(result.body.contains("Failed"))
            #expect(result.body.contains("is not correct"), "the system's own message")
            #expect(try fixture.server.holds(Self.old, login: "ada"))
            #expect(!result.body.contains("Not-the-password-1"))
            #expect(try fixture.leaks(of: Self.new).isEmpty)
        }
    }

    @Test func aMismatchAWeakPasswordAndAnUnknownPersonAreRefusedBeforeAnythingIsQueued() async throws {
        try await PageFixture.with { fixture in
            try await fixture.server.createAccount("ada", password: Self.old)
            let before = try await fixture.operations().count

            let mismatch = try await change(fixture, current: Self.old, confirm: Self.new + "x")
            #expect(mismatch.status == 422)
            #expect(mismatch.body.contains("<a href=\"#confirm\">"))
            #expect(mismatch.body.contains("value=\"ada\""), "the username is kept")
            #expect(!mismatch.body.contains(Self.old))

            let weak = try await change(fixture, current: Self.old, new: "short")
            #expect(weak.status == 422)
            #expect(weak.body.contains("<a href=\"#new\">"))

            let visitor = fixture.visitor
            let nobody = try await visitor.submit(
                "/change", action: "/change", [("username", "nobody"), ("current", Self.old), ("new", Self.new), ("confirm", Self.new)])
            #expect(nobody.status == 422)
            #expect(nobody.body.contains("check the username"))

            #expect(try await fixture.operations().count == before)
            #expect(try fixture.leaks(of: Self.new).isEmpty)
        }
    }
}
