import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// A service's words made fit for errors, logs and the audit.
@Suite("Remote text", .offThePool)
struct RemoteTextTests {
    @Test("a message that quotes a secret Keyward sent is withheld whole")
    func withholdsSecrets() {
        let secret = GuardedString("Kw-echo-P@ss")
        let text = RemoteText.sanitized("The password 'Kw-echo-P@ss' is too weak", withholding: [secret])
        #expect(text == RemoteText.withheld)
        #expect(RemoteText.sanitized("The password is too weak", withholding: [secret]) == "The password is too weak")
    }

    @Test("control characters become spaces; long text is cut")
    func cleans() {
        #expect(RemoteText.sanitized("line\none\tand\u{1B}[31m") == "line one and [31m")
        let long = RemoteText.sanitized(String(repeating: "x", count: 1000))
        #expect(long.count == RemoteText.limit + 1 && long.hasSuffix("…"))
    }

    @Test("identifiers: letters, digits and -_.: only, at most 100")
    func identifiers() {
        #expect(RemoteText.identifier("0b7e8a1c-22aa-4f1c-9e0e-5f2b9d1c0a11") == "0b7e8a1c-22aa-4f1c-9e0e-5f2b9d1c0a11")
        #expect(RemoteText.identifier("Request_BadRequest") == "Request_BadRequest")
        #expect(RemoteText.identifier("bad id\nX-Injected: 1") == nil)
        #expect(RemoteText.identifier(String(repeating: "a", count: 101)) == nil)
        #expect(RemoteText.identifier(nil) == nil)
    }
}
