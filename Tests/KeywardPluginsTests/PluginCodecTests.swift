import Foundation
import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardPlugins

/// The protocol's encoding and decoding, without a process: request lines
/// (escaping of secrets and plain values), the hello, answers, the search
/// for echoed secrets, and command lines.
@Suite("Plugin protocol codec", .offThePool)
struct PluginCodecTests {
    /// The line `request` encodes to, as text, and as JSON.
    static func encode(_ request: PluginRequest, id: Int = 7) throws -> (String, [String: Any]) {
        let buffer = WipedBuffer(capacity: 16)
        try request.encode(id: id, into: buffer)
        let bytes = buffer.withBytes { Array($0) }
        let text = String(decoding: bytes, as: UTF8.self)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes.dropLast())) as? [String: Any])
        return (text, json)
    }

    static let awkwardSecrets = [
        "plain-Password-1", "qu\"ote", "back\\slash\\", "\"\\\"\\\\", "tab\tnew\nline\rcr", "bell\u{07}nul\u{00}esc\u{1B}del\u{7F}",
        "ünïcödé-€-𝄞-😀", "line\u{2028}sep\u{2029}", "</script>", "a",
    ]

    @Test("a secret comes through the JSON escaping exactly, on one line", arguments: awkwardSecrets)
    func secretRoundTrip(_ secret: String) throws {
        let request = PluginRequest(.create, uid: "jdoe", attributes: [.password(secret)], mustChange: true)
        let (text, json) = try Self.encode(request)
        #expect(text.hasSuffix("}\n"))
        #expect(text.dropLast().contains("\n") == false, "one line")
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "control characters escaped")
        let attributes = try #require(json["attributes"] as? [[String: Any]])
        #expect(attributes.first?["secret"] as? String == secret)
        #expect(attributes.first?["name"] as? String == "__PASSWORD__")
        #expect(attributes.first?["value"] == nil, "a secret travels only as `secret`")
        #expect((json["options"] as? [String: Any])?["mustChange"] as? Bool == true)
        #expect(json["id"] as? Int == 7 && json["op"] as? String == "create" && json["uid"] as? String == "jdoe")
    }

    @Test("the escapes are RFC 8259's: \\\" \\\\ \\n \\t \\u00XX, and UTF-8 as it is")
    func exactEscapes() throws {
        let (text, _) = try Self.encode(PluginRequest(.setPassword, uid: "u", attributes: [.password("a\"b\\c\nd\te\u{01}f\u{7F}é")]), id: 1)
        #expect(text == #"{"id":1,"op":"setPassword","uid":"u","attributes":[{"name":"__PASSWORD__","secret":"a\"b\\c\nd\te\u0001f\u007fé"}]}"# + "\n")
    }

    @Test("plain values and unset ones: value, and null")
    func plainValues() throws {
        let attributes = [
            ConnectorAttribute(name: "mail", value: .plain("j\"doe@example.org")),
            ConnectorAttribute(name: "department", value: nil),
        ]
        let (text, json) = try Self.encode(PluginRequest(.update, uid: "jdoe", attributes: attributes))
        #expect(text.contains(#"{"name":"department","value":null}"#))
        let values = try #require(json["attributes"] as? [[String: Any]])
        #expect(values.first?["value"] as? String == "j\"doe@example.org")
        #expect(json["options"] == nil, "no options unless Keyward has a say")
    }

    @Test("a secret that is not UTF-8 is refused, naming the attribute, and nothing of it stays in the line")
    func invalidUTF8() throws {
        let buffer = WipedBuffer()
        for bytes: [UInt8] in [[0x41, 0xFF, 0x42], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            buffer.removeAll()
            let secret = GuardedString(bytes: [0x5A, 0x5A, 0x5A] + bytes)
            let request = PluginRequest(
                .create, uid: "x", attributes: [ConnectorAttribute(name: "ntHash", value: .secret(secret))])
            #expect(throws: PluginRequest.UnencodableSecret.self) { try request.encode(id: 1, into: buffer) }
            #expect(buffer.withBytes { !Array($0).contains(0x5A) }, "the secret's first bytes were taken back out")
        }
        let failure = PluginFailure(reason: .unencodableSecret(attribute: "ntHash")).connectorError("system 'x'", operation: "create")
        #expect(failure.kind == .failed && failure.message.contains("ntHash") && failure.message.contains("base64 or hex"))
    }

    @Test("the hello carries the protocol version, the system and the plugin's own settings")
    func hello() throws {
        let buffer = WipedBuffer()
        PluginHello(system: "shop", settings: ["realm": "EU \"west\"", "minLength": "12"]).encode(into: buffer)
        let text = buffer.withBytes { String(decoding: $0, as: UTF8.self) }
        #expect(text == #"{"type":"hello","protocol":1,"client":"keyward","system":"shop","settings":{"minLength":"12","realm":"EU \"west\""}}"# + "\n")
    }

    @Test("a buffer moves what is left to the front and wipes the rest")
    func removeFirst() {
        let buffer = WipedBuffer(capacity: 16)
        for byte in Array("first\nsecond".utf8) { buffer.append(byte) }
        buffer.removeFirst(6)
        #expect(buffer.withBytes { String(decoding: $0, as: UTF8.self) } == "second")
        buffer.truncate(to: 3)
        #expect(buffer.withBytes { Array($0) } == Array("sec".utf8))
    }
}

/// What a plugin answers: decoded, checked, mapped to connector errors.
@Suite("Plugin answers", .offThePool)
struct PluginAnswerTests {
    static func decode(_ line: String, id: Int = 3) throws(PluginFailure) -> PluginReply {
        try PluginReply.decode(Array(line.utf8), id: id)
    }

    static func reason(_ line: String, id: Int = 3) -> PluginFailure.Reason? {
        do {
            _ = try decode(line, id: id)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("a result, and an error with its kind, message and retryAfter")
    func results() throws {
        guard case .result(let value) = try Self.decode(#"{"id":3,"result":{"uid":"jdoe"}}"#) else {
            Issue.record("no result")
            return
        }
        #expect(value["uid"]?.string == "jdoe")
        guard case .error(let report) = try Self.decode(#"{"id":3,"error":{"kind":"throttled","message":"slow\u0007 down","retryAfter":2.5}}"#)
        else {
            Issue.record("no error")
            return
        }
        let error = report.connectorError("system 'shop'", operation: "create")
        #expect(error.kind == .throttled && error.isTransient)
        #expect(error.retryAfter == .milliseconds(2500))
        #expect(error.message == "system 'shop': create failed: the plugin says: slow down")
    }

    @Test("every error kind of the protocol maps to the connector error of that name", arguments: ConnectorError.Kind.allCases)
    func kinds(_ kind: ConnectorError.Kind) throws {
        guard case .error(let report) = try Self.decode(#"{"id":3,"error":{"kind":"\#(kind.rawValue)","message":"m"}}"#) else {
            Issue.record("no error")
            return
        }
        #expect(report.connectorError("s", operation: "get").kind == kind)
    }

    @Test("an unknown error kind is `failed`, and says so")
    func unknownKind() throws {
        guard case .error(let report) = try Self.decode(#"{"id":3,"error":{"kind":"exploded"}}"#) else {
            Issue.record("no error")
            return
        }
        let error = report.connectorError("s", operation: "get")
        #expect(error.kind == .failed && error.message.contains("unknown error kind 'exploded'"))
    }

    @Test("answers of the wrong shape are protocol errors")
    func wrongShapes() {
        #expect(Self.reason("not json") == .notJSON(bytes: 8))
        #expect(Self.reason("[1,2]") == .notJSON(bytes: 5))
        #expect(Self.reason(#"{"result":{}}"#) == .wrongID(expected: 3, received: "none"))
        #expect(Self.reason(#"{"id":4,"result":{}}"#) == .wrongID(expected: 3, received: "4"))
        #expect(Self.reason(#"{"id":"3","result":{}}"#) == .wrongID(expected: 3, received: "that is not a number"))
        #expect(Self.reason(#"{"id":3}"#) == .malformed("has neither `result` nor `error`"))
        #expect(Self.reason(#"{"id":3,"result":{},"error":{"kind":"failed"}}"#) == .malformed("has both `result` and `error`"))
        #expect(Self.reason(#"{"id":3,"result":[]}"#) == .malformed("has a `result` that is not an object"))
        #expect(Self.reason(#"{"id":3,"error":{"message":"m"}}"#) == .malformed("has an `error` without a `kind` string"))
        #expect(Self.reason(#"{"id":3,"error":{"kind":"throttled","retryAfter":"soon"}}"#) != nil)
        let error = PluginFailure(reason: .wrongID(expected: 3, received: "4")).connectorError("system 'shop'", operation: "get")
        #expect(error.kind == .protocolError && error.message.contains("answered request 3 (get) with id 4"))
    }

    static func description(_ line: String) throws(PluginFailure) -> PluginDescription {
        try PluginDescription(hello: JSONValue.object(from: Array(line.utf8)))
    }

    @Test("the hello: version, name, capabilities and operations; unknown names noted")
    func helloAnswer() throws {
        let description = try Self.description(
            #"{"type":"hello","protocol":1,"name":"shop","version":"2.1","capabilities":["reset","teleport"],"operations":["setPassword","get","fly"]}"#)
        #expect(description.title == "shop 2.1")
        #expect(description.capabilities == [.reset])
        #expect(description.operations == [.setPassword, .get])
        #expect(description.unknownNames == ["teleport", "fly"])
    }

    @Test("another protocol version is a configuration error naming both versions")
    func version() {
        #expect(throws: PluginFailure.self) {
            try Self.description(#"{"type":"hello","protocol":2,"name":"x","capabilities":[],"operations":[]}"#)
        }
        let error = PluginFailure(reason: .versionMismatch(plugin: 2)).connectorError("system 'shop'", operation: "the hello")
        #expect(error.kind == .configuration)
        #expect(error.message.contains("protocol version 2") && error.message.contains("speaks version 1"))
    }

    @Test("a capability without its operation, a refused hello, a hello without a name")
    func badHellos() {
        let cases: [(String, PluginFailure.Reason)] = [
            (
                #"{"type":"hello","protocol":1,"name":"x","capabilities":["change"],"operations":["get"]}"#,
                .malformed("declares the capability `change` but not the operation `changePassword` it needs")
            ),
            (
                #"{"type":"hello","error":{"kind":"configuration","message":"no database"}}"#,
                .refused(kind: .configuration, message: "no database")
            ),
            (#"{"type":"hello","protocol":1,"capabilities":[],"operations":[]}"#, .malformed("has no `name`")),
            (#"{"type":"ready"}"#, .malformed("is not a hello (`\"type\":\"hello\"`)")),
        ]
        for (line, expected) in cases {
            do {
                _ = try Self.description(line)
                Issue.record("accepted: \(line)")
            } catch {
                #expect(error.reason == expected)
            }
        }
    }
}

/// The search for a request's secrets in an answer.
@Suite("Echoed secrets", .offThePool)
struct SecretEchoTests {
    static func finds(_ secret: String, in line: String) -> Bool {
        Array(line.utf8).withUnsafeBytes { SecretEchoScanner.finds([GuardedString(secret)], in: $0) }
    }

    @Test("found however the plugin escapes it")
    func escapes() {
        let secret = "Pä\"ss\\wörd-😀"
        #expect(Self.finds(secret, in: #"{"id":1,"error":{"kind":"failed","message":"bad: Pä\"ss\\wörd-😀"}}"#))
        #expect(Self.finds(secret, in: #"{"id":1,"error":{"message":"P\u00e4\"ss\\w\u00f6rd-\ud83d\ude00!"}}"#))
        #expect(Self.finds(secret, in: #"{"id":1,"result":{"P\u00E4\u0022ss\u005cw\u00F6rd-\uD83D\uDE00":1}}"#), "in a key, upper-case hex")
        #expect(Self.finds("tab\there", in: #"{"m":"tab\there"}"#))
        #expect(Self.finds("Correct-Horse", in: "garbage Correct-Horse garbage"), "raw, outside any string")
    }

    @Test("not found where it is not")
    func absent() {
        #expect(!Self.finds("Correct-Horse", in: #"{"id":1,"result":{"uid":"Correct-Hors","x":"e"}}"#))
        #expect(!Self.finds("Pässword", in: #"{"id":1,"result":{"m":"P\u00e4sswor"}}"#))
        #expect(!Array("{\"id\":1}".utf8).withUnsafeBytes { SecretEchoScanner.finds([GuardedString("")], in: $0) })
    }

    @Test("a short secret only as a whole string, so that ordinary words do not match")
    func short() {
        #expect(Self.finds("ok", in: #"{"id":1,"result":{"m":"ok"}}"#))
        #expect(!Self.finds("ok", in: #"{"id":1,"result":{"m":"looks ok to me"}}"#))
        #expect(Self.finds("pass12", in: #"{"id":1,"result":{"m":"a pass12 b"}}"#))
    }
}

/// How `command` is split into a program and its arguments.
@Suite("Plugin command lines", .offThePool)
struct CommandWordsTests {
    @Test(
        "words, quotes and escapes",
        arguments: [
            ("plugins/a.py --db var/a.db", ["plugins/a.py", "--db", "var/a.db"]),
            ("  python3\t-u   x.py ", ["python3", "-u", "x.py"]),
            (#"'my plugin' "--name=a b" it\'s"#, ["my plugin", "--name=a b", "it's"]),
            (#""a\"b\\c\d" 'x\y' """#, [#"a"b\c\d"#, #"x\y"#, ""]),
            ("$HOME ~ *", ["$HOME", "~", "*"]),
            // What the configuration makes of `command: [plugins/run.py, --name, "two words", "it's"]`.
            (#"'plugins/run.py' '--name' 'two words' 'it'\''s'"#, ["plugins/run.py", "--name", "two words", "it's"]),
        ])
    func split(_ line: String, _ words: [String]) throws {
        #expect(try CommandWords.split(line) == words)
    }

    @Test("an open quote, a lone backslash and an empty line are refused", arguments: ["'open", "\"open", "end\\", "  "])
    func refused(_ line: String) {
        #expect(throws: CommandWords.Problem.self) { try CommandWords.split(line) }
    }
}
