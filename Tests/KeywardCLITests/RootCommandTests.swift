import KeywardTestSupport
import Testing

@Suite("keyward: help and usage errors", .offThePool)
struct RootCommandTests {
    @Test(
        "--help teaches by example",
        arguments: [
            ([], "keyward dry-run scripts/nt-hash.lua --value 'password' --reveal"),
            (["check"], "keyward check --format sarif scripts/ > checker.sarif"),
            (["dry-run"], "keyward dry-run scripts/nt-hash.lua --value 'password' --reveal"),
            (["test"], "keyward check scripts/ && keyward test scripts/"),
        ])
    func helpHasRunnableExamples(command: [String], example: String) throws {
        let scratch = try Scratch()
        let result = try scratch.run(arguments: command + ["--help"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains(example))
        #expect(result.stdout.contains("Exit status"))
        #expect(result.stderr.isEmpty)
    }

    @Test(
        "an unknown flag is a one-line usage error with exit 2, not 64",
        arguments: [
            ["--frobnicate"],
            ["check", "--frobnicate", "s.lua"],
            ["dry-run", "s.lua", "--value", "x", "--frobnicate"],
            ["test", "--frobnicate"],
        ])
    func unknownFlag(arguments: [String]) throws {
        let scratch = try Scratch()
        let result = try scratch.run(arguments: arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.contains("--frobnicate"))
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stdout.isEmpty)
    }

    @Test("the usage hint names the subcommand")
    func usageHintNamesSubcommand() throws {
        let scratch = try Scratch()
        let result = try scratch.run("dry-run", "s.lua", "--value", "x", "--frobnicate")
        #expect(result.stderr.contains("keyward dry-run --help"))
    }

    @Test("an unknown subcommand is a usage error")
    func unknownSubcommand() throws {
        let scratch = try Scratch()
        let result = try scratch.run("frobnicate")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1)
    }
}

@Suite("keyward: usage errors never repeat a stray argument", .offThePool)
struct StrayArgumentTests {
    @Test("a password typed without --value is not echoed back")
    func strayArgumentNotEchoed() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", Canary.password, "--null")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(!result.allOutput.contains(Canary.password))
    }
}
