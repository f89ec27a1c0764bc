import KeywardTestSupport
import Testing

/// Bad input for each command: a one-line error on stderr that names the
/// file, and a nonzero exit (2 unless the checker itself speaks).
@Suite("keyward: bad input", .offThePool)
struct BadInputTests {
    /// Runs `command` on `path`, with what each command needs around it.
    static func arguments(_ command: String, _ path: String) -> [String] {
        switch command {
        case "dry-run": ["dry-run", path, "--null"]
        default: [command, path]
        }
    }

    static let commands = ["check", "dry-run", "test"]

    @Test("a missing file", arguments: commands)
    func missingFile(command: String) throws {
        let scratch = try Scratch()
        let result = try scratch.run(arguments: Self.arguments(command, "missing.lua"))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: missing.lua: no such file or folder"])
    }

    @Test("a folder without scripts", arguments: ["check", "test"])
    func folderWithoutScripts(command: String) throws {
        let scratch = try Scratch()
        try scratch.write("empty/readme.txt", "no scripts here")
        let result = try scratch.run(arguments: Self.arguments(command, "empty"))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: empty: no Lua scripts (*.lua) in this folder or below it"])
    }

    @Test("dry-run on a folder")
    func dryRunOnFolder() throws {
        let scratch = try Scratch()
        try scratch.makeFolder("lib")
        let result = try scratch.run("dry-run", "lib", "--null")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: lib: is a folder, not a file"])
    }

    @Test("a file that is not UTF-8", arguments: commands)
    func notUTF8(command: String) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", bytes: Array("-- ok\nreturn \"".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8))
        let result = try scratch.run(arguments: Self.arguments(command, "s.lua"))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: s.lua:2: is not valid UTF-8"))
    }

    @Test("a precompiled (binary) chunk", arguments: commands)
    func binaryChunk(command: String) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", bytes: [0x1B] + Array("Lua".utf8) + [0x54, 0x00, 0x19, 0x93, 0x0D, 0x0A, 0x1A, 0x0A])
        let result = try scratch.run(arguments: Self.arguments(command, "s.lua"))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: s.lua:1: is a precompiled (binary) Lua chunk"))
    }

    @Test("a binary chunk that is valid UTF-8 is still refused")
    func binaryChunkValidUTF8() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", "\u{1B}Lua return nil")
        let result = try scratch.run("check", "s.lua")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("precompiled"))
    }

    @Test("a 10 MiB script is refused without being read", arguments: commands)
    func hugeScript(command: String) throws {
        let scratch = try Scratch()
        try scratch.writeSparse("s.lua", size: 10 << 20)
        let result = try scratch.run(arguments: Self.arguments(command, "s.lua"))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: s.lua: is 10.0 MiB; scripts are limited to 1 MiB"])
    }

    @Test("a script of exactly 1 MiB is read")
    func scriptAtTheLimit() throws {
        let scratch = try Scratch()
        let body = Scripts.identity
        try scratch.write("s.lua", body + String(repeating: " ", count: (1 << 20) - body.utf8.count))
        let result = try scratch.run("check", "s.lua")
        #expect(result.status == 0, "\(result)")
    }

    @Test("an empty script: the checker's KW012, exit 1", arguments: ["check", "dry-run"])
    func emptyScript(command: String) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", "")
        let result = try scratch.run(arguments: Self.arguments(command, "s.lua"))
        #expect(result.status == 1, "\(result)")
        #expect(result.allOutput.contains("s.lua:1:1: error KW012"))
        if command == "dry-run" {
            #expect(result.stdout.contains("outcome       forbidden"))
        }
    }

    @Test("a syntax error: exit 1 with line and column", arguments: ["check", "dry-run"])
    func syntaxError(command: String) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.syntaxError)
        let result = try scratch.run(arguments: Self.arguments(command, "s.lua"))
        #expect(result.status == 1, "\(result)")
        #expect(result.allOutput.contains("s.lua:1:11: error KW008"))
    }

    @Test("a missing --value-file")
    func missingValueFile() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        let result = try scratch.run("dry-run", "s.lua", "--value-file", "nope.txt")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: nope.txt: no such file or folder"])
    }

    @Test("a --value-file over 1 MiB")
    func hugeValueFile() throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        try scratch.writeSparse("big.txt", size: 2 << 20)
        let result = try scratch.run("dry-run", "s.lua", "--value-file", "big.txt")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: big.txt: is 2.0 MiB; values are limited to 1 MiB"])
    }

    @Test("a script that cannot be read in a test run stops it before anything runs")
    func unreadableScriptInTest() throws {
        let scratch = try Scratch()
        try scratch.write("lib/a.lua", Scripts.identity)
        try scratch.write("lib/a.cases.yaml", "cases:\n  - name: a\n    input: x\n    expect: x\n")
        try scratch.write("lib/b.lua", bytes: [0xC3, 0x28])
        let result = try scratch.run("test", "lib")
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == ["error: lib/b.lua:1: is not valid UTF-8; save the script as UTF-8 text"])
    }
}
