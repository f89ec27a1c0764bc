import CLuaSandbox
import Foundation
import KeywardTestSupport
import Testing

/// Rule 9: every block the sandbox frees, Lua's and the secrets', is wiped.
/// The state keeps freed blocks in a quarantine so the test can scan them;
/// the positive control turns the wipe off and must find the canary.
@Suite("Wipe on free", .offThePool)
struct WipeOnFreeTests {
    /// Runs a script that spreads the revealed canary through Lua strings,
    /// tables and handles, ends the call (a collection follows reveal), and
    /// returns how many freed blocks still hold the canary.
    func canaryHitsInFreedMemory(wipe: Bool) throws -> (hits: Int, bytesHeld: Int) {
        let state = try #require(CLuaSandbox_open())
        defer { CLuaSandbox_close(state) }
        CLuaSandbox_testing_quarantine(state, wipe ? 1 : 0)
        let source = """
            local s = attributeValue:reveal()
            local t = {}
            for i = 1, 50 do t[i] = s .. i; t[s .. i] = i end
            local h = attributeValue
            for i = 1, 20 do h = h .. 'x' end
            t = nil
            return nil
            """
        var limits = CLuaSandbox_Limits()
        limits.instruction_limit = 1_000_000
        limits.memory_limit = 8 << 20
        limits.hook_interval = 1000
        limits.allow_reveal = 1
        var result = CLuaSandbox_Result()
        let secret = Array(Canary.password.utf8)
        source.withCString { text in
            secret.withUnsafeBufferPointer { bytes in
                CLuaSandbox_call(state, "wipe-test", text, strlen(text), bytes.baseAddress, bytes.count,
                                 nil, 0, &limits, &result)
            }
        }
        #expect(result.outcome == CLuaSandbox_OK)
        #expect(result.revealed == 1)
        _ = CLuaSandbox_end_call(state)
        var held = 0
        let hits = secret.withUnsafeBytes { needle in
            CLuaSandbox_testing_quarantine_scan(state, needle.baseAddress, needle.count, &held)
        }
        return (Int(hits), held)
    }

    @Test func freedBlocksHoldNoPlaintext() throws {
        let (hits, held) = try canaryHitsInFreedMemory(wipe: true)
        #expect(held > 10_000)  // the scan looked at real freed memory
        #expect(hits == 0)
    }

    @Test func positiveControlFindsThePlaintextWithoutTheWipe() throws {
        let (hits, _) = try canaryHitsInFreedMemory(wipe: false)
        #expect(hits > 0)
    }
}
