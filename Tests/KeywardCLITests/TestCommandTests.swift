import Foundation
import KeywardTestSupport
import Testing

@Suite("keyward test", .offThePool)
struct TestCommandTests {
    static let upperCases = """
        cases:
          - name: upper-cases
            input: "abc"
            expect: "ABC"
          - name: returns nil for nil
            input: null
            expect: null
        """

    @Test("passing cases: one ok line each, the summary alone on its line, exit 0")
    func passing() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.upper)
        try scratch.write("s.cases.yaml", Self.upperCases)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stdoutLines == [
                "ok   s.lua › upper-cases",
                "ok   s.lua › returns nil for nil",
                "2 passed, 0 failed",
            ])
    }

    @Test("a wrong result fails with masked values only, exit 1")
    func wrongResult() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.upper)
        try scratch.write(
            "s.cases.yaml",
            """
            cases:
              - name: keeps the case
                input: "\(Canary.password)"
                expect: "\(Canary.password)"
              - name: upper-cases
                input: "abc"
                expect: "ABC"
            """)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 1, "\(result)")
        let failure = try #require(result.stdoutLines.first)
        #expect(failure.hasPrefix("FAIL s.lua › keeps the case: expected 21 bytes, sha256 "))
        #expect(failure.contains("got 21 bytes, sha256 "))
        #expect(!result.allOutput.contains(Canary.password))
        #expect(!result.allOutput.contains(Canary.password.uppercased()))
        #expect(result.stdoutLines.last == "1 passed, 1 failed")
    }

    @Test("nil against a value fails both ways")
    func nilMismatch() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.upper)
        try scratch.write(
            "s.cases.yaml",
            """
            cases:
              - name: expects nil
                input: "abc"
                expect: null
              - name: expects a value
                input: null
                expect: "ABC"
            """)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("FAIL s.lua › expects nil: expected nil; got 3 bytes"))
        #expect(result.stdout.contains("FAIL s.lua › expects a value: expected 3 bytes, sha256 "))
        #expect(result.stdout.contains("; got nil"))
        #expect(result.stdoutLines.last == "0 passed, 2 failed")
    }

    @Test("expectError passes on that code and fails on any other outcome")
    func expectError() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.raising)
        try scratch.write(
            "s.cases.yaml",
            """
            cases:
              - name: raises
                input: "x"
                expectError: runtime
              - name: wrong code
                input: "x"
                expectError: budget
              - name: nil does not raise
                input: null
                expectError: runtime
            """)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdoutLines.first == "ok   s.lua › raises")
        #expect(
            result.stdout.contains(
                "FAIL s.lua › wrong code: expected a budget error; got a runtime error at line 2: boom from the script"))
        #expect(result.stdout.contains("FAIL s.lua › nil does not raise: expected a runtime error; got nil"))
        #expect(result.stdoutLines.last == "1 passed, 2 failed")
    }

    @Test("expectLength and expectPrefix are checked on the returned secret")
    func expectShape() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", "if attributeValue == nil then return nil end\nreturn attributeValue:hash(\"ssha\")\n")
        try scratch.write(
            "s.cases.yaml",
            """
            cases:
              - name: right shape
                input: "secret"
                expectPrefix: "{SSHA}"
                expectLength: 46
              - name: wrong length
                input: "secret"
                expectLength: 45
              - name: wrong prefix
                input: "secret"
                expectPrefix: "{SHA}"
              - name: nil is not a value
                input: null
                expectLength: 46
            """)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdoutLines.first == "ok   s.lua › right shape")
        #expect(result.stdout.contains("FAIL s.lua › wrong length: expected 45 bytes; got 46 bytes"))
        #expect(result.stdout.contains("FAIL s.lua › wrong prefix: expected a value starting with the expected prefix"))
        #expect(result.stdout.contains("FAIL s.lua › nil is not a value: expected a value of 46 bytes; got nil"))
        #expect(result.stdoutLines.last == "1 passed, 3 failed")
    }

    @Test("context facts reach the script")
    func context() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.withContext)
        try scratch.write(
            "s.cases.yaml",
            """
            cases:
              - name: appends the facts
                input: "abc"
                context: { system: hr, operation: create, mail: j@example.com, uid: 1001 }
                expect: "abc|hr|create|j@example.com"
            """)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 0, "\(result)")
    }

    @Test("a script without a cases file is a warning, not a failure")
    func missingCases() throws {
        let scratch = try Scratch()
        try scratch.write("lib/a.lua", Scripts.upper)
        try scratch.write("lib/a.cases.yaml", Self.upperCases)
        try scratch.write("lib/b.lua", Scripts.identity)
        let result = try scratch.run("test", "lib")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderrLines == ["warning: lib/b.lua: no cases file (lib/b.cases.yaml); nothing tested"])
        #expect(result.stdoutLines.last == "2 passed, 0 failed")
    }

    @Test("a script the checker refuses fails its cases, with the findings shown")
    func refusedScript() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.printing)
        try scratch.write(
            "s.cases.yaml",
            """
            cases:
              - name: passes the value
                input: "abc"
                expect: "abc"
              - name: is refused
                input: "abc"
                expectError: forbidden
            """)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("s.lua:1:1: error KW001"))
        #expect(result.stdout.contains("FAIL s.lua › passes the value: expected 3 bytes"))
        #expect(result.stdout.contains("forbidden error"))
        #expect(result.stdout.contains("ok   s.lua › is refused"))
        #expect(!result.allOutput.contains(Scripts.printedMarker))
        #expect(result.stdoutLines.last == "1 passed, 1 failed")
    }

    @Test("with no path, scripts/ is tested")
    func defaultPath() throws {
        let scratch = try Scratch()
        try scratch.write("scripts/s.lua", Scripts.upper)
        try scratch.write("scripts/s.cases.yaml", Self.upperCases)
        let result = try scratch.run("test")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.first == "ok   s.lua › upper-cases")
    }

    @Test("with no path and no scripts/ folder, exit 2")
    func defaultPathMissing() throws {
        let scratch = try Scratch()
        let result = try scratch.run("test")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: scripts/: no such file or folder"])
    }

    @Test("cases share one engine: many cases of several scripts in one run")
    func manyCases() throws {
        let scratch = try Scratch()
        var cases = "cases:\n"
        for index in 0..<50 {
            cases += "  - name: case \(index)\n    input: \"v\(index)\"\n    expect: \"V\(index)\"\n"
        }
        for name in ["a", "b", "c"] {
            try scratch.write("lib/\(name).lua", Scripts.upper)
            try scratch.write("lib/\(name).cases.yaml", cases)
        }
        let result = try scratch.run("test", "lib")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.last == "150 passed, 0 failed")
    }
}
