import Foundation
import KeywardTestSupport
import Synchronization
import KeywardCore
import Testing
@testable import KeywardScripting

/// The pool: many threads at once, small-stack callers, async callers, the
/// chunk cache, and the checker gate.
@Suite("Script engine", .offThePool)
struct ScriptEngineTests {
    static let upper = "if attributeValue == nil then return nil end return attributeValue:upper()"

    @Test func manyThreadsAtOnceGetTheirOwnResults() throws {
        let engine = try ScriptEngine()
        let script = try TransformScript(id: "upper.lua", source: Self.upper)
        let failures = Mutex(0)
        let group = DispatchGroup()
        for thread in 0..<8 {
            group.enter()
            let worker = Thread {
                for call in 0..<300 {
                    let value = "t\(thread)c\(call)"
                    let result = try? engine.transform(script, input: GuardedString(value))
                    if result?.withPlaintext({ $0 }) != value.uppercased() {
                        failures.withLock { $0 += 1 }
                    }
                }
                group.leave()
            }
            worker.stackSize = 1 << 21
            worker.start()
        }
        group.wait()
        #expect(failures.withLock { $0 } == 0)
    }

    @Test func aCallerWithASmallStackIsServedByAWorkerThread() throws {
        let engine = try ScriptEngine()
        let script = try TransformScript(id: "upper.lua", source: Self.upper)
        let result = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let small = Thread {
            let value = try? engine.transform(script, input: GuardedString("abc"))
            result.withLock { $0 = value?.withPlaintext { $0 } }
            done.signal()
        }
        small.stackSize = 256 << 10
        small.start()
        done.wait()
        #expect(result.withLock { $0 } == "ABC")
    }

    @Test func asyncCallersDoNotBlockTheCooperativePool() async throws {
        let engine = try ScriptEngine()
        let script = try TransformScript(id: "upper.lua", source: Self.upper)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let value = "v\(index)"
                    let result = try await engine.transform(script, input: GuardedString(value))
                    return result?.withPlaintext { $0 } == value.uppercased()
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    @Test func scriptsWithTheSameTextShareACompiledChunk() throws {
        let a = try TransformScript(id: "a.lua", source: Self.upper)
        let b = try TransformScript(id: "b.lua", source: Self.upper)
        let c = try TransformScript(id: "c.lua", source: Self.upper + "\n")
        #expect(a.contentHash == b.contentHash)
        #expect(a.contentHash != c.contentHash)
        #expect(a.contentHash.count == 64)
    }

    @Test func theEngineRefusesAScriptWithCheckerErrors() {
        #expect(throws: ScriptError.self) { try TransformScript(id: "bad.lua", source: "print(attributeValue) return nil") }
        do {
            _ = try TransformScript(id: "bad.lua", source: "print(attributeValue) return nil")
        } catch {
            #expect(error.code == .forbidden)
            #expect(error.findings.contains { $0.ruleID == "KW001" })
        }
        do {
            _ = try TransformScript(id: "syntax.lua", source: "return (")
        } catch {
            #expect(error.code == .compile)
        }
    }

    @Test func revealNeedsTheLimitFlagAtCheckTimeToo() throws {
        #expect(throws: ScriptError.self) {
            try TransformScript(id: "r.lua", source: "if attributeValue == nil then return nil end local s = attributeValue:reveal() return nil")
        }
        let allowed = try TransformScript(
            id: "r.lua", source: "if attributeValue == nil then return nil end local s = attributeValue:reveal() return nil",
            limits: ScriptLimits(allowReveal: true))
        #expect(try Sandbox.engine.transform(allowed, input: GuardedString("x")) == nil)
    }

    @Test func transformThrowsAScriptErrorWithoutTheSecret() throws {
        let script = try TransformScript(id: "fail.lua", source: "if attributeValue == nil then return nil end error('no') return nil")
        do {
            _ = try Sandbox.engine.transform(script, input: GuardedString("Kw-CANARY-x"))
            Issue.record("should throw")
        } catch {
            #expect(error.code == .runtime)
            #expect(error.scriptID == "fail.lua")
            #expect(!"\(error)".contains("CANARY"))
            #expect(!"\(error)".contains("no"))
        }
    }
}
