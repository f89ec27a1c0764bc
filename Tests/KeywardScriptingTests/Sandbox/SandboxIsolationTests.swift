import CLuaSandbox
import KeywardCore
import KeywardTestSupport
import Testing
@testable import KeywardScripting

/// Rules 1, 4, 12, 13 and 14: the environment, frozen libraries, strict
/// returns, and nothing carried from one call to the next.
@Suite("Sandbox isolation", .offThePool)
struct SandboxIsolationTests {
    @Test func theRuntimeAllowListMatchesTheCheckers() throws {
        let state = try #require(CLuaSandbox_open())
        defer { CLuaSandbox_close(state) }
        func names(_ library: String?) -> Set<String> {
            var out = [UnsafePointer<CChar>?](repeating: nil, count: 128)
            let count = out.withUnsafeMutableBufferPointer { buffer in
                CLuaSandbox_library_names(state, library, buffer.baseAddress, buffer.count)
            }
            return Set(out[0..<count].compactMap { $0.map { String(cString: $0) } })
        }
        let libraries = Set(SandboxAllowList.libraries.keys)
        #expect(names(nil) == SandboxAllowList.baseFunctions.union(libraries))
        for (library, members) in SandboxAllowList.libraries {
            #expect(names(library) == members, "members of \(library)")
        }
    }

    @Test func theLuaReleaseIsChecked() {
        #expect(CLuaSandbox_lua_release_ok() != 0)
        #expect(ScriptEngine.luaRelease.hasPrefix("Lua 5.4."))
    }

    @Test(arguments: ["x = attributeValue", "string.leak = attributeValue", "_ENV.y = 1"])
    func nothingWrittenIsVisibleToTheNextCall(_ writer: String) {
        _ = Sandbox.run(writer + " return nil")
        let reader = Sandbox.run("if x ~= nil or y ~= nil or string.leak ~= nil then return attributeValue end return nil")
        #expect(Sandbox.plaintext(reader) == "nil")
    }

    @Test func aCheckedScriptThatAssignsNoGlobalsSharesAnEnvironmentThatRefusesNewOnes() throws {
        let script = try TransformScript(id: "reuse.lua", source: "if attributeValue == nil then return nil end return attributeValue:upper()")
        #expect(script.assignsNoGlobals)
        for value in ["a", "b", "c"] {
            let result = try Sandbox.engine.transform(script, input: GuardedString(value))
            #expect(result?.withPlaintext { $0 } == value.uppercased())
        }
        // Even if the checker were wrong, the shared environment refuses a new global.
        var forged = TransformScript(unchecked: "forged.lua", source: "leaked = attributeValue return nil")
        forged.forceSharedEnvironmentForTesting()
        let evaluation = Sandbox.engine.evaluate(forged, input: GuardedString("x"))
        #expect(Sandbox.code(evaluation) == .runtime)
        let reader = Sandbox.run("return leaked")
        #expect(Sandbox.plaintext(reader) == "nil")
    }

    @Test func contextIsReadOnlyAndIterable() {
        let context = ScriptContext(system: "hr", attribute: "__PASSWORD__", operation: .reset, uid: "alice",
                                    attributes: ["mail": "alice@example.org", "system": "ignored"])
        let read = Sandbox.run(
            "return attributeValue .. context.system .. context.operation .. context.uid .. context.mail .. context.attribute",
            input: "", context: context)
        #expect(Sandbox.plaintext(read) == "hrresetalicealice@example.org__PASSWORD__")
        let count = Sandbox.run(
            "local n = 0 for k, v in pairs(context) do n = n + 1 end return attributeValue .. n",
            input: "", context: context)
        #expect(Sandbox.plaintext(count) == "5")
        #expect(Sandbox.code(Sandbox.run("context.system = 'x'", context: context)) == .runtime)
        let missing = Sandbox.run("if context.nothing == nil then return nil end return attributeValue", context: context)
        #expect(Sandbox.plaintext(missing) == "nil")
    }

    @Test func budgetAndMemoryFailuresRetireTheirState() {
        // Afterwards an ordinary call still works (on a fresh state).
        #expect(Sandbox.code(Sandbox.run("while true do end")) == .budget)
        #expect(Sandbox.plaintext(Sandbox.run("return attributeValue", input: "ok")) == "ok")
        #expect(Sandbox.code(Sandbox.run("return ('x'):rep(2^31)")) == .memory)
        #expect(Sandbox.plaintext(Sandbox.run("return attributeValue", input: "ok")) == "ok")
    }

    @Test func authorModeShowsTheMessageAndLineProductionDoesNot() {
        let source = "local x = 1\nerror('boom at two')"
        let author = Sandbox.run(source, mode: .author)
        let production = Sandbox.run(source, mode: .production)
        guard case .failure(let authorError) = author.outcome, case .failure(let productionError) = production.outcome else {
            Issue.record("both should fail")
            return
        }
        #expect(authorError.authorDetail?.line == 2)
        #expect(authorError.authorDetail?.message.contains("boom at two") == true)
        #expect(productionError.authorDetail == nil)
        #expect(!String(describing: authorError).contains("boom"))
    }

    @Test func authorModeCountsInstructionsExactly() {
        let a = Sandbox.run("local x = 0 for i = 1, 10 do x = x + i end return nil", mode: .author)
        let b = Sandbox.run("local x = 0 for i = 1, 20 do x = x + i end return nil", mode: .author)
        #expect(a.instructions > 0)
        #expect(b.instructions > a.instructions)
    }

    @Test func badReturnNamesTheTypeNeverTheValue() {
        let evaluation = Sandbox.run("return 'Kw-CANARY-7f3a9c-P@ss'")
        guard case .failure(let error) = evaluation.outcome else {
            Issue.record("expected badReturn")
            return
        }
        #expect(error.code == .badReturn)
        #expect(error.returnedType == "string")
        #expect(!error.description.contains("CANARY"))
    }

    @Test func aShebangLineAndAByteOrderMarkAreSkippedAsLuaDoesForFiles() throws {
        let shebang = Sandbox.run("#!/usr/bin/env lua\nreturn attributeValue", input: "x")
        #expect(Sandbox.plaintext(shebang) == "x")
        let bom = Sandbox.run("\u{FEFF}return attributeValue", input: "y")
        #expect(Sandbox.plaintext(bom) == "y")
        let lines = Sandbox.run("#!/usr/bin/env lua\nerror('second line')", mode: .author)
        guard case .failure(let error) = lines.outcome else {
            Issue.record("expected a runtime error")
            return
        }
        #expect(error.authorDetail?.line == 2)
        // What the checker accepts, the sandbox runs.
        let script = try TransformScript(id: "s.lua", source: "#!/usr/bin/env lua\nif attributeValue == nil then return nil end return attributeValue")
        #expect(try Sandbox.engine.transform(script, input: GuardedString("z"))?.withPlaintext { $0 } == "z")
    }
}
