import Foundation
import KeywardTestSupport
import Testing

/// The one JSON object `keyward dry-run --json` prints, parsed.
struct DryRunJSON {
    let object: [String: Any]

    /// Parses the whole of standard output as one JSON object.
    init(_ result: CommandResult) throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        object = try #require(parsed as? [String: Any], "stdout is not one JSON object: \(result)")
    }

    var outcome: String? { object["outcome"] as? String }
    var result: [String: Any]? { object["result"] as? [String: Any] }
    var error: [String: Any]? { object["error"] as? [String: Any] }
    var findings: [[String: Any]]? { object["findings"] as? [[String: Any]] }
}

@Suite("keyward dry-run --json", .offThePool)
struct DryRunJSONTests {
    static let topKeys: Set = ["outcome", "result", "findings", "instructions", "memoryBytes", "micros", "error"]

    @Test("success: exactly the documented keys, masked, exit 0, nothing on stderr")
    func success() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--json")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdoutLines.count == 1)
        #expect(!result.allOutput.contains(Canary.password))
        let json = try DryRunJSON(result)
        #expect(Set(json.object.keys) == Self.topKeys)
        #expect(json.outcome == "ok")
        #expect(json.object["error"] is NSNull)
        let value = try #require(json.result)
        #expect(Set(value.keys) == ["kind", "length", "sha256Prefix"])
        #expect(value["kind"] as? String == "guarded")
        #expect(value["length"] as? Int == 21)
        #expect((value["sha256Prefix"] as? String)?.count == 8)
        #expect(json.findings?.isEmpty == true)
        #expect((json.object["instructions"] as? Int ?? 0) > 0)
        #expect((json.object["memoryBytes"] as? Int ?? -1) >= 0)
        #expect((json.object["micros"] as? Int ?? -1) >= 0)
    }

    @Test("the SHA-256 prefix of \"abc\" is the standard one")
    func sha256Prefix() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--value", "abc", "--json")
        #expect(try DryRunJSON(result).result?["sha256Prefix"] as? String == abcSHA256Prefix)
    }

    @Test("--reveal adds the value, and only then")
    func reveal() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--json", "--reveal")
        #expect(result.status == 0, "\(result)")
        let value = try #require(try DryRunJSON(result).result)
        #expect(Set(value.keys) == ["kind", "length", "sha256Prefix", "value"])
        #expect(value["value"] as? String == Canary.password)
    }

    @Test("a nil result has kind nil")
    func nilResult() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--null", "--json")
        #expect(result.status == 0, "\(result)")
        let json = try DryRunJSON(result)
        #expect(json.outcome == "ok")
        #expect(json.result?["kind"] as? String == "nil")
        #expect(json.result?["length"] is NSNull)
    }

    @Test("a failed script: result null, error with code, message and line, exit 1")
    func failure() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.raising)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--json")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdoutLines.count == 1)
        #expect(!result.allOutput.contains(Canary.password))
        let json = try DryRunJSON(result)
        #expect(Set(json.object.keys) == Self.topKeys)
        #expect(json.outcome == "runtime")
        #expect(json.object["result"] is NSNull)
        let error = try #require(json.error)
        #expect(Set(error.keys) == ["code", "message", "line"])
        #expect(error["code"] as? String == "runtime")
        #expect(error["message"] as? String == "boom from the script")
        #expect(error["line"] as? Int == 2)
    }

    @Test("a budget failure has no line (null), but the key is there")
    func budget() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.looping)
        let result = try scratch.run("dry-run", "s.lua", "--null", "--json")
        #expect(result.status == 1, "\(result)")
        let json = try DryRunJSON(result)
        #expect(json.outcome == "budget")
        #expect(json.error?["code"] as? String == "budget")
        #expect(json.error?.keys.contains("line") == true)
    }

    @Test("refused by the checker: outcome forbidden, findings with exactly their keys, nothing ran")
    func refused() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.printing)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--json")
        #expect(result.status == 1, "\(result)")
        let json = try DryRunJSON(result)
        #expect(json.outcome == "forbidden")
        #expect(json.object["result"] is NSNull)
        #expect(json.object["instructions"] as? Int == 0)
        let findings = try #require(json.findings)
        #expect(findings.count == 2)
        for finding in findings {
            #expect(Set(finding.keys) == ["id", "severity", "line", "column", "message"])
            #expect(finding["id"] as? String == "KW001")
            #expect(finding["severity"] as? String == "error")
        }
        #expect(json.error?["code"] as? String == "forbidden")
        #expect(json.error?["line"] as? Int == 1)
    }

    @Test("--skip-check with --json still prints one object, outcome runtime")
    func skipCheck() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.printing)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--json", "--skip-check")
        #expect(result.status == 1, "\(result)")
        let json = try DryRunJSON(result)
        #expect(json.outcome == "runtime")
        #expect(json.findings?.count == 2)
        #expect(!result.allOutput.contains(Scripts.printedMarker))
        #expect(!result.allOutput.contains(Canary.password))
    }

    @Test("a syntax error: outcome compile with its line")
    func compile() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.syntaxError)
        let result = try scratch.run("dry-run", "s.lua", "--null", "--json")
        #expect(result.status == 1, "\(result)")
        let json = try DryRunJSON(result)
        #expect(json.outcome == "compile")
        #expect(json.error?["line"] as? Int == 1)
    }

    @Test("a warning is a finding, and the script still runs")
    func warningFinding() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.unguarded)
        let result = try scratch.run("dry-run", "s.lua", "--value", "abc", "--json")
        #expect(result.status == 0, "\(result)")
        let json = try DryRunJSON(result)
        #expect(json.findings?.first?["id"] as? String == "KW006")
        #expect(json.findings?.first?["severity"] as? String == "warning")
    }
}
