import Foundation
import KeywardTestSupport
import Testing

/// `keyward plugin test -- COMMAND…`: the conformance suite from the
/// command line, on the shipped example plugin and on broken ones.
@Suite("keyward plugin test", .offThePool)
struct PluginCommandTests {
    static let example = KeywardProcess.repositoryRoot.appendingPathComponent("connectors/plugins/accounts.py").path

    @Test("the example plugin passes every check: one PASS line each, a summary, exit 0, no canary anywhere")
    func example() throws {
        let scratch = try Scratch()
        let result = try scratch.run(
            "plugin", "test", "--timeout", "30", "--", Self.example, "--database", scratch.url.path + "/accounts.db",
            "--iterations", "1000")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        let lines = result.stdoutLines
        #expect(lines.first == "plugin test: \(Self.example) (timeout 30 s)")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("PASS  ") }, "\(result)")
        #expect(lines.last == "27 checks: 27 passed, 0 failed, 0 skipped")
        for check in ["hello: example-accounts 1.0.0, protocol 1", "changePassword with a wrong current password: credentials-rejected",
            "stderr holds no secret", "exits with status 0 when its stdin closes"]
        {
            #expect(lines.contains { $0.hasPrefix("PASS  " + check) }, "\(check)")
        }
        #expect(!result.allOutput.contains("KwCanary"), "no canary password is ever printed")
    }

    @Test("a plugin that prints the password on stderr and accepts anything fails, exit 1; the canary is not printed")
    func leaky() throws {
        let scratch = try Scratch()
        try scratch.write(
            "leaky.sh",
            """
            #!/bin/sh
            read -r hello
            echo '{"type":"hello","protocol":1,"name":"leaky","capabilities":["initialize"],"operations":["create"]}'
            while read -r line; do
              echo "$line" >&2
              id=$(echo "$line" | sed 's/^{"id":\\([0-9]*\\).*/\\1/')
              echo "{\\"id\\":$id,\\"result\\":{}}"
            done
            """)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: scratch.url.appendingPathComponent("leaky.sh").path)
        let result = try scratch.run("plugin", "test", "--", "./leaky.sh")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdoutLines.contains { $0.hasPrefix("FAIL  create an existing uid: expected the error kind already-exists") }, "\(result)")
        #expect(result.stdoutLines.contains { $0.hasPrefix("FAIL  stderr holds no secret: a canary password appeared on stderr") })
        #expect(result.stdoutLines.contains { $0.hasPrefix("SKIP  changePassword: the plugin does not declare changePassword") })
        #expect(result.stdoutLines.last?.contains(" passed, 3 failed, ") == true, "\(result)")
        #expect(!result.allOutput.contains("KwCanary"))
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            (["plugin", "test"], "give the plugin's command after --"),
            (["plugin", "test", "--", "./absent-plugin"], "absent-plugin, which does not exist"),
            (["plugin", "test", "--", "no-such-plugin-on-path"], "'no-such-plugin-on-path', which is not on the plugin's PATH"),
            (["plugin", "test", "--timeout", "0", "--", "/bin/cat"], "--timeout must be 1 to 3600 seconds"),
        ])
    func usage(_ arguments: [String], _ message: String) throws {
        let scratch = try Scratch()
        let result = try scratch.run(arguments: arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(message), "\(result)")
        #expect(result.stdout.isEmpty)
    }
}
