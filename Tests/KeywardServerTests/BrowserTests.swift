import Foundation
import KeywardTestSupport
import Testing

/// The pages in a real headless Chromium (Debian's `chromium` through
/// `chromium-driver`): fill the forms, submit them, read the result, as a
/// person would; one browser at a time.
@Suite("Browser", .offThePool, .serialized)
struct BrowserTests {
    static let chosen = Canary.password + "-browser"

    @Test func aPersonSetsTheirPasswordThroughTheLink() async throws {
        try await BrowserFixture.with { fixture in
            let link = try await fixture.pages.link("ada")

            try await fixture.open(link)
            #expect(try await fixture.heading() == "Set your password")
            #expect(try await fixture.browser.title() == "Set your password – Keyward")
            try await fixture.fill("new", Self.chosen)
            try await fixture.fill("confirm", Self.chosen)
            try await fixture.submit()

            #expect(try await fixture.heading() == "Your password is set")
            #expect(try await fixture.mainText().contains("Your password on hr is set"))
            #expect(try fixture.pages.server.holds(Self.chosen, login: "ada"))

            // The same link again: used.
            try await fixture.open(link)
            #expect(try await fixture.heading() == "This link does not work")
            #expect(try await fixture.mainText().contains("used already"))
            #expect(try fixture.pages.leaks(of: Self.chosen).isEmpty)
        }
    }

    @Test func anExpiredLinkSaysSoAndWhatToDo() async throws {
        try await BrowserFixture.with { fixture in
            try await fixture.open(try await fixture.pages.expiredLink("grace"))
            #expect(try await fixture.heading() == "This link does not work")
            let text = try await fixture.mainText()
            #expect(text.contains("expired"))
            #expect(text.contains("Ask your helpdesk"))
            #expect(try await fixture.browser.elements("input[type=password]").isEmpty)
        }
    }

    @Test func aWeakPasswordIsRefusedWithThePolicyThenAGoodOneWorks() async throws {
        try await BrowserFixture.with { fixture in
            let link = try await fixture.pages.link("ada")
            try await fixture.open(link)
            try await fixture.fill("new", "short")
            try await fixture.fill("confirm", "short")
            try await fixture.submit()

            #expect(try await fixture.heading() == "Set your password")
            let summary = try await fixture.browser.text(of: try await fixture.browser.element(".error-summary"))
            #expect(summary.contains("There is a problem"))
            #expect(summary.contains("8"), "the policy's minimum: \(summary)")
            let field = try await fixture.browser.element("#new")
            #expect(try await fixture.browser.attribute("aria-invalid", of: field) == "true")
            #expect(try await fixture.browser.attribute("value", of: field) ?? "" == "")
            #expect(try await fixture.pages.operations().isEmpty)

            try await fixture.fill("new", Self.chosen)
            try await fixture.fill("confirm", Self.chosen)
            try await fixture.submit()
            #expect(try await fixture.heading() == "Your password is set")
            #expect(try fixture.pages.server.holds(Self.chosen, login: "ada"))
        }
    }

    @Test func aFormWithoutItsCSRFTokenIsRefusedWithAClearPage() async throws {
        try await BrowserFixture.with { fixture in
            let link = try await fixture.pages.link("ada")
            try await fixture.open(link)
            try await fixture.fill("new", Self.chosen)
            try await fixture.fill("confirm", Self.chosen)
            try await fixture.browser.execute("document.querySelector('input[name=csrf]').remove()")
            try await fixture.submit()

            #expect(try await fixture.heading() == "This form expired")
            #expect(
                try await fixture.mainText().contains(
                    "This form expired or did not come from Keyward; reload the page and try again."))
            #expect(try await fixture.pages.operations().isEmpty)

            // Reloading the form gives a working one: the link was not used.
            try await fixture.open(link)
            #expect(try await fixture.heading() == "Set your password")
        }
    }

    @Test func aFormPostedFromAnotherPageIsRefused() async throws {
        try await BrowserFixture.with { fixture in
            let link = try await fixture.pages.link("ada")
            let target = fixture.pages.server.baseURL + link
            // A hand-built page elsewhere (a data: URL), posting to the link with a made-up token.
            let forged = """
                <!DOCTYPE html><html lang="en"><title>Win a prize</title><form method="post" action="\(target)">
                <input name="csrf" value="forged"><input name="new" value="\(Self.chosen)">
                <input name="confirm" value="\(Self.chosen)"><button type="submit">Claim</button></form></html>
                """
            try await fixture.browser.open("data:text/html;charset=utf-8," + (forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            try await fixture.submit("form button[type=submit]")

            #expect(try await fixture.heading() == "This form expired")
            #expect(try await fixture.pages.operations().isEmpty)
        }
    }

    @Test func aPersonChangesTheirPassword() async throws {
        try await BrowserFixture.with { fixture in
            try await fixture.pages.server.createAccount("ada", password: "Old-password-42")
            try await fixture.open("/change")
            #expect(try await fixture.heading() == "Change your password")
            try await fixture.fill("username", "ada")
            try await fixture.fill("current", "Old-password-42")
            try await fixture.fill("new", Self.chosen)
            try await fixture.fill("confirm", Self.chosen)
            try await fixture.submit()

            #expect(try await fixture.heading() == "Password change")
            let text = try await fixture.mainText()
            #expect(text.contains("Your password was changed on every system."))
            #expect(text.contains("hr"))
            #expect(try fixture.pages.server.holds(Self.chosen, login: "ada"))
        }
    }

    @Test func theHelpdeskSignsInSeesTheButtonsAndUnlocks() async throws {
        try await BrowserFixture.with { fixture in
            try await fixture.pages.server.createAccount("ada", password: "Old-password-42")
            try await fixture.pages.server.createAccount("ada", system: "payroll", password: "Old-password-42")
            try fixture.pages.server.lock("ada")
            let token = try await fixture.pages.token("alice")

            try await fixture.open("/helpdesk")
            #expect(try await fixture.heading() == "Helpdesk sign-in")
            try await fixture.fill("token", token)
            try await fixture.submit()
            #expect(try await fixture.heading() == "Helpdesk")

            try await fixture.fill("user", "ada")
            try await fixture.submit("form.search button[type=submit]")
            #expect(try await fixture.browser.elements("#system-hr button[value=unlock]").count == 1)
            #expect(try await fixture.browser.elements("#system-hr button[value=reset]").count == 1)
            #expect(try await fixture.browser.elements("#system-payroll button[value=reset]").count == 1)
            #expect(try await fixture.browser.elements("#system-payroll button[value=unlock]").isEmpty)

            try await fixture.submit("#system-hr button[value=unlock]")
            #expect(try await fixture.heading() == "Unlock")
            #expect(try await fixture.mainText().contains("is unlocked"))
            #expect(try fixture.pages.server.row("ada")?.locked == 0)

            try await fixture.submit(".session button[type=submit]")
            #expect(try await fixture.heading() == "Helpdesk sign-in")
        }
    }
}
