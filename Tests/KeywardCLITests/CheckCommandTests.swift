import Foundation
import KeywardTestSupport
import Testing

@Suite("keyward check", .offThePool)
struct CheckCommandTests {
    @Test("a clean script exits 0")
    func clean() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("check", "s.lua")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("1 file checked: 0 errors, 0 warnings"))
        #expect(result.stderr.isEmpty)
    }

    @Test("warnings alone exit 0, and are shown")
    func warningsOnly() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.unguarded)
        let result = try scratch.run("check", "s.lua")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("warning KW006"))
        #expect(result.stdout.contains("0 errors, 1 warning"))
    }

    @Test("error-level findings exit 1, with file, line and column")
    func errors() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.printing)
        let result = try scratch.run("check", "s.lua")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("s.lua:1:1: error KW001"))
        #expect(result.stdout.contains("fix:"))
    }

    @Test("folders are searched recursively for *.lua, hidden folders skipped")
    func recursiveFolders() throws {
        let scratch = try Scratch()
        try scratch.write("lib/a.lua", Scripts.identity)
        try scratch.write("lib/deeper/b.lua", Scripts.upper)
        try scratch.write("lib/notes.txt", "print(1)")
        try scratch.write("lib/.hidden/c.lua", Scripts.printing)
        let result = try scratch.run("check", "lib")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("2 files checked: 0 errors, 0 warnings"))

        try scratch.write("lib/deeper/bad.lua", Scripts.printing)
        let failing = try scratch.run("check", "lib/")
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stdout.contains("lib/deeper/bad.lua:1:1: error KW001"))
    }

    @Test("a missing path among good ones: the good ones are reported, and the exit is 2")
    func missingAmongGood() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("check", "s.lua", "missing.lua")
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.contains("1 file checked"))
        #expect(result.stderrLines == ["error: missing.lua: no such file or folder"])
    }

    @Test("--format json is one JSON document with the findings")
    func json() throws {
        let scratch = try Scratch()
        try scratch.write("good.lua", Scripts.identity)
        try scratch.write("bad.lua", Scripts.printing)
        let result = try scratch.run("check", "--format", "json", "good.lua", "bad.lua")
        #expect(result.status == 1, "\(result)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["errors"] as? Int == 2)
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == ["good.lua", "bad.lua"])
        let findings = try #require(files[1]["findings"] as? [[String: Any]])
        #expect(findings.first?["id"] as? String == "KW001")
    }

    @Test("--format sarif is SARIF 2.1.0")
    func sarif() throws {
        let scratch = try Scratch()
        try scratch.write("bad.lua", Scripts.printing)
        let result = try scratch.run("check", "--format", "sarif", "bad.lua")
        #expect(result.status == 1, "\(result)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "2.1.0")
        let runs = try #require(document["runs"] as? [[String: Any]])
        let results = try #require(runs.first?["results"] as? [[String: Any]])
        #expect(results.count == 2)
        #expect(results.first?["ruleId"] as? String == "KW001")
    }

    @Test("an unknown format is a usage error")
    func unknownFormat() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("check", "--format", "xml", "s.lua")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1)
    }

    @Test("no path at all is a usage error")
    func noPath() throws {
        let scratch = try Scratch()
        let result = try scratch.run("check")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1)
    }

    @Test("reveal() is an error unless --allow-reveal")
    func allowReveal() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.raisingSecret)
        let refused = try scratch.run("check", "s.lua")
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stdout.contains("KW004"))
        let allowed = try scratch.run("check", "--allow-reveal", "s.lua")
        #expect(allowed.status == 0, "\(allowed)")
    }
}
