import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// The request body parser: JSON to values, password fields to guarded
/// memory, refusals that never quote a value.
@Suite("API: request bodies", .offThePool)
struct APIRequestBodyTests {
    static func parse(_ json: String, allowed: Set<String> = ["system", "password", "systems", "mustChange"])
        throws(APIError) -> APIRequestBody
    {
        let bytes = Array(json.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        return try APIRequestBody(bytes: UnsafeRawBufferPointer(buffer), allowed: allowed, secrets: ["password"])
    }

    static func refusal(_ json: String) -> APIError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func fieldsAreReadAndThePasswordIsGuarded() throws {
        let body = try Self.parse(
            #"{ "system": "hr", "systems": ["a", "b"], "mustChange": true, "password": "p\u00e9\ud83d\ude00\"\\\/\n" }"#)

        #expect(try body.string("system") == "hr")
        #expect(try body.strings("systems") == ["a", "b"])
        #expect(try body.bool("mustChange") == true)
        let password = try #require(try body.secret("password"))
        #expect(password.withPlaintext { $0 } == "p\u{e9}\u{1F600}\"\\/\n")
        #expect(password.count == 1 + 2 + 4 + 4)
        #expect("\(body.fields)".contains("redacted"))
    }

    @Test func aPasswordThatIsNotAStringIsRefused() throws {
        let body = try Self.parse(#"{"password": 12345678}"#)
        #expect(throws: APIError.self) { try body.secret("password") }
    }

    @Test(arguments: [
        #"{"system": "hr""#, #"["hr"]"#, #"{"system": "hr"} x"#, #"{"system": "a\qb"}"#, #"{"password": "\ud800"}"#,
        "{\"password\": \"a\u{01}b\"}", #"{"system": tru}"#, #"{"system" "hr"}"#,
    ])
    func invalidJSONIsRefusedWithoutQuotingIt(json: String) throws {
        let error = try #require(Self.refusal(json))
        #expect(error.kind == "bad-request")
        #expect(!error.message.contains("hr\""))
        #expect(!error.message.contains("a\\qb"))
    }

    @Test func unknownAndRepeatedFieldsAreRefusedByName() throws {
        let unknown = try #require(Self.refusal(#"{"pasword": "Kw-secret"}"#))
        #expect(unknown.message.contains("unknown field 'pasword'"))
        #expect(!unknown.message.contains("Kw-secret"))
        let twice = try #require(Self.refusal(#"{"system": "a", "system": "b"}"#))
        #expect(twice.message.contains("'system' is given twice"))
    }

    @Test func deepNestingIsRefused() throws {
        let deep = #"{"system": "# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}"
        let error = try #require(Self.refusal(deep))
        #expect(error.message.contains("nested too deeply"))
    }
}
