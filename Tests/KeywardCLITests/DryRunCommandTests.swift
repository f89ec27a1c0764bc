import Foundation
import KeywardTestSupport
import Testing

@Suite("keyward dry-run: inputs, masking and outcomes", .offThePool)
struct DryRunCommandTests {
    @Test("the result is masked: bullets, length, SHA-256 prefix, and never the value")
    func masked() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password)
        #expect(result.status == 0, "\(result)")
        #expect(!result.allOutput.contains(Canary.password))
        #expect(result.stdout.contains("••••••••"))
        #expect(result.stdout.contains("21 bytes"))
        #expect(result.stdout.contains("outcome       ok"))
        #expect(result.stdout.contains("instructions"))
        #expect(result.stdout.contains("peak memory"))
        #expect(result.stdout.contains("time"))
    }

    @Test("the SHA-256 prefix is the real one")
    func sha256Prefix() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--value", "abc")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("result        •••••••• 3 bytes, sha256 \(abcSHA256Prefix)"))
    }

    @Test("--reveal shows the value")
    func reveal() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.upper)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--reveal")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains(Canary.password.uppercased()))
    }

    @Test("--null runs with a nil attributeValue")
    func null() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--null")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("input         nil"))
        #expect(result.stdout.contains("result        nil"))
    }

    @Test("--generate makes a random 16-character value from the safe alphabet")
    func generate() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        var values: Set<String> = []
        for _ in 0..<2 {
            let result = try scratch.run("dry-run", "s.lua", "--generate", "--json", "--reveal")
            #expect(result.status == 0, "\(result)")
            let json = try DryRunJSON(result)
            let resultObject = try #require(json.result)
            #expect(resultObject["length"] as? Int == 16)
            let value = try #require(resultObject["value"] as? String)
            #expect(value.count == 16)
            let alphabet = Set("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@_")
            #expect(value.allSatisfy { alphabet.contains($0) })
            values.insert(value)
        }
        #expect(values.count == 2)
    }

    @Test("--generate without --reveal does not show the value")
    func generateMasked() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--generate")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("input         •••••••• 16 bytes"))
    }

    @Test(
        "--value-file strips exactly one trailing newline",
        arguments: [("abc\n", 3), ("abc", 3), ("abc\r\n", 3), ("abc\n\n", 4), ("\n", 0)])
    func valueFile(contents: String, length: Int) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        try scratch.write("value.txt", contents)
        let result = try scratch.run("dry-run", "s.lua", "--value-file", "value.txt", "--json")
        #expect(result.status == 0, "\(result)")
        #expect(try DryRunJSON(result).result?["length"] as? Int == length)
    }

    @Test("--stdin reads standard input, one trailing newline stripped")
    func standardInput() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--stdin", stdin: Data("abc\n".utf8))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("3 bytes, sha256 \(abcSHA256Prefix)"))
    }

    @Test("--value takes a value that starts with a dash")
    func dashValue() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--value", "-abc", "--reveal")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("result        -abc"))
    }

    @Test("--context facts reach the script: fixed keys and account attributes")
    func context() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.withContext)
        let result = try scratch.run(
            "dry-run", "s.lua", "--value", "abc", "--reveal",
            "--context", "system=hr", "--context", "operation=reset", "--context", "mail=j@example.com")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("result        abc|hr|reset|j@example.com"))
    }

    @Test(
        "a bad --context is a one-line usage error",
        arguments: [["--context", "operation=explode"], ["--context", "no-equals-sign"], ["--context", "=x"]])
    func badContext(arguments: [String]) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run(arguments: ["dry-run", "s.lua", "--value", "abc"] + arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
    }

    @Test(
        "exactly one input source is required",
        arguments: [[], ["--value", "a", "--null"], ["--generate", "--stdin"], ["--value-file", "f", "--value", "a"]])
    func inputSources(arguments: [String]) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run(arguments: ["dry-run", "s.lua"] + arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.contains("--value"))
    }

    @Test("a runtime error exits 1 and shows the author the Lua message and line")
    func runtimeError() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.raising)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("outcome       runtime"))
        #expect(result.stderrLines.last == "error: s.lua:2: runtime error: boom from the script")
        #expect(!result.allOutput.contains(Canary.password))
    }

    @Test(
        "each way a script fails has its outcome and exit 1",
        arguments: [
            (Scripts.looping, "budget"), (Scripts.hungry, "memory"), (Scripts.plainString, "badReturn"),
            (Scripts.raising, "runtime"),
        ])
    func failures(script: String, outcome: String) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", script)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("outcome       \(outcome)"))
        #expect(result.stdout.contains("result        none"))
        #expect(!result.allOutput.contains(Canary.password))
    }

    @Test("a badReturn names the Lua type")
    func badReturnNamesType() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.plainString)
        let result = try scratch.run("dry-run", "s.lua", "--null")
        #expect(result.stderr.contains("returned string"), "\(result)")
    }

    @Test("error-level findings refuse to run: exit 1, outcome forbidden, findings on stderr")
    func refused() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.printing)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("outcome       forbidden"))
        #expect(result.stderr.contains("s.lua:1:1: error KW001"))
        #expect(result.stderr.contains("nothing ran"))
        #expect(!result.stdout.contains("instructions"))
        #expect(!result.allOutput.contains(Scripts.printedMarker))
        #expect(!result.allOutput.contains(Canary.password))
    }

    @Test("--skip-check runs a refused script in the sandbox: print is absent, nothing is printed")
    func skipCheck() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.printing)
        let result = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--skip-check")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("outcome       runtime"))
        #expect(result.stderr.contains("error KW001"), "the findings are still printed")
        #expect(result.stderr.contains("global 'print'"))
        #expect(!result.allOutput.contains(Scripts.printedMarker))
        #expect(!result.allOutput.contains(Canary.password))
    }

    @Test("a syntax error exits 1 with line and column, outcome compile")
    func syntaxError() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.syntaxError)
        let result = try scratch.run("dry-run", "s.lua", "--null")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("outcome       compile"))
        #expect(result.stderr.contains("s.lua:1:11: error KW008"))
    }

    @Test("reveal() needs --allow-reveal")
    func revealNeedsPermission() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.raisingSecret)
        let refused = try scratch.run("dry-run", "s.lua", "--value", Canary.password)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("KW004"))
        #expect(!refused.allOutput.contains(Canary.password))
    }

    @Test("a revealed secret raised as an error is redacted unless --reveal")
    func revealedErrorIsRedacted() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.raisingSecret)
        let masked = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--allow-reveal")
        #expect(masked.status == 1, "\(masked)")
        #expect(masked.stderr.contains("<redacted>"))
        #expect(!masked.allOutput.contains(Canary.password))

        let shown = try scratch.run("dry-run", "s.lua", "--value", Canary.password, "--allow-reveal", "--reveal")
        #expect(shown.stderr.contains(Canary.password))
    }
}
