import Foundation
import KeywardConnectors
import KeywardCore
import Hummingbird
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// The JSON Keyward writes byte by byte: escaping, exact size, and the wipe.
@Suite("JSON bodies", .offThePool)
struct JSONBodyTests {
    static func text(_ body: SecretBody) -> String {
        String(decoding: body.buffer.readableBytesView, as: UTF8.self)
    }

    @Test(
        "passwords are escaped so any JSON parser reads them back exactly",
        arguments: [
            "plain-Pass-1", #"quote"inside"#, #"back\slash\\"#, "tab\tnew\nline\rform\u{0C}bell\u{07}",
            "nul\u{00}and\u{1F}unit", "del\u{7F}", "Grüße-€-日本-🔐", "\u{2028}separator\u{2029}", "",
            #"\u0022 not an escape"#, "</script>",
        ])
    func escapingRoundTrips(_ password: String) throws {
        let body = try JSONBody.encode([
            ("passwordProfile", .object([("password", .secret(GuardedString(password))), ("force", .bool(true))])),
            ("name", .string(password)),
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.buffer.readableBytesView)) as? [String: Any])
        let profile = try #require(object["passwordProfile"] as? [String: Any])
        #expect(profile["password"] as? String == password)
        #expect(profile["force"] as? Bool == true)
        #expect(object["name"] as? String == password)
    }

    @Test("the exact escapes: quote, backslash, short forms, \\u00XX for other controls and DEL")
    func exactEscapes() throws {
        let body = try JSONBody.encode([("p", .secret(GuardedString("a\"b\\c\n\t\u{08}\u{0C}\r\u{01}\u{7F}é")))])
        #expect(Self.text(body) == #"{"p":"a\"b\\c\n\t\b\f\r\u0001\u007fé"}"#)
    }

    @Test("members keep their order; booleans, null and nested objects")
    func shapes() throws {
        let body = try JSONBody.encode([
            ("accountEnabled", .bool(false)), ("mail", .null), ("a", .object([])), ("z", .string("1")),
        ])
        #expect(Self.text(body) == #"{"accountEnabled":false,"mail":null,"a":{},"z":"1"}"#)
    }

    @Test("a secret that is not valid UTF-8 is refused, naming the member, never the value")
    func invalidUTF8() throws {
        let secret = GuardedString(bytes: [0x41, 0xFF, 0x42])
        #expect(throws: ConnectorError.self) {
            _ = try JSONBody.encode([("passwordProfile", .object([("password", .secret(secret))]))])
        }
        do {
            _ = try JSONBody.encode([("passwordProfile", .object([("password", .secret(secret))]))])
        } catch {
            #expect(error.kind == .policyRejected)
            #expect(error.message.contains("passwordProfile.password"))
        }
    }

    @Test("the body is exactly as long as measured, and the wipe zeroes the storage every copy shares")
    func wipeReachesCopies() throws {
        let password = "Wipe-Me-7f3a-P@ss"
        let body = try JSONBody.encode([("password", .secret(GuardedString(password)))])
        #expect(body.buffer.readableBytes == #"{"password":""}"#.utf8.count + password.utf8.count)
        let copy = body.buffer  // what the HTTP client holds
        #expect(String(decoding: copy.readableBytesView, as: UTF8.self).contains(password))
        body.wipe()
        #expect(copy.readableBytesView.allSatisfy { $0 == 0 })
        #expect(body.buffer.readableBytesView.allSatisfy { $0 == 0 })
    }
}

/// Form bodies for the token endpoints.
@Suite("Form bodies", .offThePool)
struct FormBodyTests {
    @Test("every byte but the unreserved ones is percent-encoded, secrets included")
    func encoding() {
        let body = FormBody.encode([
            ("client_id", .plain("app id")), ("client_secret", .secret(GuardedString("a&b=c+d %é~._-"))),
        ])
        #expect(
            String(decoding: body.buffer.readableBytesView, as: UTF8.self)
                == "client_id=app%20id&client_secret=a%26b%3Dc%2Bd%20%25%C3%A9~._-")
        body.wipe()
        #expect(body.buffer.readableBytesView.allSatisfy { $0 == 0 })
    }
}
