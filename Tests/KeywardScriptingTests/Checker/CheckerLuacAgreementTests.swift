import Foundation
import KeywardTestSupport
import Testing

@testable import KeywardScripting

/// Lua's own compiler, when the machine has it (Debian's `lua5.4` package).
private let luac = ["/usr/bin/luac5.4", "/usr/bin/luac"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Whether `luac -p` accepts `source`.
private func luacAccepts(_ source: String, luac: String) throws -> Bool {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("checker-\(UUID().uuidString).lua")
    try Data(source.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: luac)
    process.arguments = ["-p", file.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus == 0
}

@Suite("Checker agrees with luac", .offThePool, .enabled(if: luac != nil, "luac5.4 is not installed"))
struct CheckerLuacAgreementTests {
    static let corpus = [
        "return 0xA.8p-1", "return 0x.p1", "return 1e+", "return 3.", "return .5e", "return 08", "return 0x1P+4",
        "return '\\u{7FFFFFFF}'", "return '\\u{80000000}'", "return '\\256'", "return '\\x4'", "return 'a\\z\n  b'",
        "return [==[ ]] ]=] ]==]", "return [==[ ]=]", "--[==[ ]] ]==] return 1", "--[==[ ]=]", "x = [=a",
        "goto l; local x; ::l::", "goto l; local x; ::l:: ::m::", "goto l; local x; ::l:: x = 1",
        "repeat goto l; local x; ::l:: until x", "do ::l:: end ::l::", "::l:: do ::l:: end", "break",
        "while x do local function f() break end end", "local x <const> = 1; x = 2", "local x <close> = nil",
        "local x <closed> = nil", "local a <close>, b <close> = 1, 2", "function f() return ... end",
        "return function(...) return ... end", "a.b:c = 1", "(a) = 1", "a() = 1", "a:b() = 1", "a.b.c = 1",
        "x = function(..., a) end", "return return", "return 1;", "return 1;;", "x = {a = 1; b = 2,}", "x = {,}",
        "for i = 1 do end", "for a, b in x do end", "for a in do end", "if x then elseif y then else end",
        "if x then else elseif y then end", "f{}'s'[[t]]", "a = b = c", "local function a.b() end",
        "function a.b:c.d() end", "return not not - - ~ ~ # 'x'", "return 1 // 2 >> 3 << 4 & 5 | 6 ~ 7",
        "x = y z", "#!/usr/bin/lua\nreturn 1", "return 1 --[[ unfinished", "return \"\\q\"", "return '\\\r\n'",
        "::a:: ::b:: goto a goto b", "local _ENV = {} return x", "return a.b.c:d'e'{f}(g)[h]",
    ]

    @Test("accepts exactly what luac accepts", arguments: corpus)
    func agreement(source: String) throws {
        let luac = try #require(luac)
        let accepted = CheckerTestSupport.compiles(source)
        #expect(accepted == (try luacAccepts(source, luac: luac)))
    }
}
