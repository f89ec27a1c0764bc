import Foundation
import KeywardTestSupport
import Testing

/// The attack table of SANDBOX.md, each run in a child process
/// (`keyward dry-run --skip-check --json`, the sandbox without the checker)
/// with the canary secret. For every case: the outcome code, a wall-time bound
/// on the whole process, nothing on stdout but the one JSON object and nothing
/// at all on stderr, and the canary nowhere in either.
@Suite("Sandbox attacks in a child process", .offThePool)
struct SandboxAttackProcessTests {
    struct Attack: CustomTestStringConvertible, Sendable {
        let script: String
        let outcome: String
        var allowReveal = false
        var testDescription: String { script }
    }

    static let attacks: [Attack] = [
        .init(script: "print(attributeValue)", outcome: "runtime"),
        .init(script: "io.write('x')", outcome: "runtime"),
        .init(script: "os.execute('id')", outcome: "runtime"),
        .init(script: "warn('@on'); warn('x')", outcome: "runtime"),
        .init(script: "require('io')", outcome: "runtime"),
        .init(script: "package.loadlib('x', 'y')", outcome: "runtime"),
        .init(script: "return load(string.dump(function() end))", outcome: "runtime"),
        .init(script: "return ('').dump", outcome: "ok"),
        .init(script: "while true do end", outcome: "budget"),
        .init(script: "while true do pcall(function() while true do end end) end", outcome: "budget"),
        .init(script: "return ('x'):rep(2^31)", outcome: "memory"),
        .init(script: "local t = {} for i = 1, 1e9 do t[i] = {i, i, i, i, i, i, i, i} end", outcome: "memory"),
        .init(script: "error(attributeValue:reveal())", outcome: "runtime", allowReveal: true),
        .init(script: "assert(false, attributeValue:reveal())", outcome: "runtime", allowReveal: true),
        .init(script: "string.format('%' .. attributeValue:reveal(), 1)", outcome: "runtime", allowReveal: true),
        .init(script: "return 'a plain string'", outcome: "badReturn"),
        .init(script: "return {}", outcome: "badReturn"),
        .init(script: "return 42", outcome: "badReturn"),
        .init(script: "return attributeValue, attributeValue", outcome: "badReturn"),
        .init(script: "return tostring(attributeValue) == 'GuardedString' and attributeValue or nil", outcome: "ok"),
    ]

    @Test(arguments: attacks)
    func attackIsStoppedSilently(_ attack: Attack) throws {
        let scratch = try Scratch()
        try scratch.write("attack.lua", attack.script)
        var arguments = ["dry-run", "attack.lua", "--value", Canary.password, "--skip-check", "--json"]
        if attack.allowReveal { arguments.append("--allow-reveal") }
        let clock = ContinuousClock()
        let start = clock.now
        let result = try scratch.run(arguments: arguments)
        let elapsed = clock.now - start

        // A process start plus a bounded call; generous for a loaded machine.
        #expect(elapsed < .seconds(10))
        #expect(result.status == (attack.outcome == "ok" ? 0 : 1), "\(result)")
        #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
        #expect(result.stdoutLines.count == 1, "stdout: \(result.stdout)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["outcome"] as? String == attack.outcome)
        #expect(!result.allOutput.contains(Canary.password))
        #expect(!result.allOutput.contains("Kw-CANARY"))
    }
}
