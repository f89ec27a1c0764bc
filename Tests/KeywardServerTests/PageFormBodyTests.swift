import KeywardCore
import KeywardTestSupport
import NIOCore
import Testing

@testable import KeywardServer

/// The form parser: percent-decoding, secrets straight into guarded memory,
/// the body wiped; and the CSRF tokens' binding.
@Suite("Pages: form body and CSRF tokens", .offThePool)
struct PageFormBodyTests {
    @Test func secretsAreDecodedIntoGuardedStringsAndTheBodyIsWiped() {
        var body = ByteBuffer(string: "username=ada+lovelace&new=P%40ss+w%C3%B6rd%21&confirm=%zz%4&system=hr&system=crm&flag")
        let form = FormBody(&body, secretFields: ["new", "confirm"])

        #expect(form["username"] == "ada lovelace")
        #expect(form.values("system") == ["hr", "crm"])
        #expect(form["flag"] == "")
        #expect(form.secret("new") == GuardedString("P@ss wörd!"))
        #expect(form.secret("confirm") == GuardedString("%zz%4"), "a broken escape stays as it is")
        #expect(form["new"] == nil, "a secret is never an ordinary field")
        #expect(body.readableBytesView.allSatisfy { $0 == 0 }, "the body was not wiped")
    }

    @Test func aRepeatedSecretKeepsItsFirstValue() {
        var body = ByteBuffer(string: "new=first&new=second")
        #expect(FormBody(&body, secretFields: ["new"]).secret("new") == GuardedString("first"))
    }

    @Test func aTokenFitsOnlyItsBindingAndAction() {
        let csrf = CSRFProtection(secureTransport: false)
        let token = csrf.token(binding: "cookie-a", action: "/change")
        #expect(csrf.isValid(token, binding: "cookie-a", action: "/change"))
        #expect(!csrf.isValid(token, binding: "cookie-b", action: "/change"))
        #expect(!csrf.isValid(token, binding: "cookie-a", action: "/helpdesk/login"))
        #expect(!csrf.isValid(nil, binding: "cookie-a", action: "/change"))
        #expect(!csrf.isValid(token, binding: "", action: "/change"))
        #expect(!CSRFProtection(secureTransport: false).isValid(token, binding: "cookie-a", action: "/change"), "another process's key")
        #expect(CSRFProtection(secureTransport: true).cookieName == "__Host-keyward-csrf")
    }
}
