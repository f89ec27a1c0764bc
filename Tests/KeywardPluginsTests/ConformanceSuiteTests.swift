import Foundation
import KeywardConnectors
import KeywardCore
import KeywardPlugins
import KeywardTestSupport
import Testing

/// The conformance suite behind `keyward plugin test`: the example plugin
/// passes every check; a sloppy plugin fails the checks it should, and the
/// suite never shows a canary.
@Suite("Plugin conformance suite", .offThePool)
struct ConformanceSuiteTests {
    let folder: PluginFolder

    init() throws {
        folder = try PluginFolder()
    }

    @Test("the example plugin passes every check")
    func example() async throws {
        let checks = try await ConformanceSuite(command: folder.exampleWords(), timeout: .seconds(20)).run()
        #expect(checks.filter { $0.outcome != .passed }.isEmpty, "\(checks.map(\.line))")
        #expect(checks.count == 27)
        #expect(checks.first?.line.hasPrefix("PASS  hello: example-accounts 1.0.0, protocol 1") == true)
    }

    /// Declares a few operations; writes the password to stderr; accepts a
    /// wrong current password; dies on an unknown operation; ignores the
    /// end of stdin.
    static let sloppy = #"""
        #!/usr/bin/env python3
        import json, os, sys, time
        sys.stdin.readline()
        print(json.dumps({"type": "hello", "protocol": 1, "name": "sloppy",
                          "capabilities": ["initialize", "change", "teleport"],
                          "operations": ["create", "get", "changePassword"]}), flush=True)
        accounts = set()
        for line in sys.stdin:
            request = json.loads(line)
            rid, op, uid = request["id"], request["op"], request.get("uid")
            if op == "create":
                secret = [a["secret"] for a in request["attributes"] if "secret" in a][0]
                sys.stderr.write("creating with " + secret + "\n"); sys.stderr.flush()
                accounts.add(uid)
                print(json.dumps({"id": rid, "result": {}}), flush=True)
            elif op in ("get", "changePassword") and uid in accounts:
                print(json.dumps({"id": rid, "result": {"uid": uid, "attributes": {}}}), flush=True)
            elif op in ("get", "changePassword"):
                print(json.dumps({"id": rid, "error": {"kind": "not-found"}}), flush=True)
            else:
                os._exit(1)
        time.sleep(60)
        """#

    @Test("a sloppy plugin fails the checks it should, and no check shows the canary")
    func sloppy() async throws {
        try folder.writeProgram("sloppy.py", Self.sloppy)
        let suite = try ConformanceSuite(command: [folder.path + "/sloppy.py"], timeout: .seconds(10))
        let checks = await suite.run()
        let outcomes = Dictionary(checks.map { ($0.name, $0.outcome) }, uniquingKeysWith: { first, _ in first })
        #expect(outcomes["hello"] == .passed)
        #expect(outcomes["hello names only known capabilities and operations"] == .failed)
        #expect(outcomes["create an existing uid"] == .failed, "it accepted a duplicate")
        #expect(outcomes["changePassword with the right current password"] == .passed)
        #expect(outcomes["changePassword with a wrong current password"] == .failed)
        #expect(outcomes["an unknown operation gets unsupported, and the plugin lives on"] == .failed)
        #expect(outcomes["stderr holds no secret"] == .failed)
        #expect(outcomes["one process serves every request"] == .failed)
        #expect(outcomes["exits with status 0 when its stdin closes"] == .failed)
        #expect(outcomes["setPassword"] == .skipped && outcomes["unlock"] == .skipped && outcomes["schema"] == .skipped)
        #expect(outcomes["cleanup"] == .skipped)
        let stderr = try #require(checks.first { $0.name == "stderr holds no secret" })
        #expect(stderr.detail.hasPrefix("a canary password appeared on stderr"))
        #expect(checks.allSatisfy { !$0.line.contains("KwCanary") }, "\(checks.map(\.line))")
    }

    @Test("no command, or a program that is not there: a configuration error")
    func usage() {
        #expect(throws: ConnectorError.self) { try ConformanceSuite(command: [], timeout: .seconds(1)) }
        #expect(throws: ConnectorError.self) { try ConformanceSuite(command: [folder.path + "/absent"], timeout: .seconds(1)) }
    }
}
