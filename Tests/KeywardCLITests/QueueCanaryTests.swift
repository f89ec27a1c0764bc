import Foundation
import GRDB
import KeywardTestSupport
import Testing

/// A known password through create, reset, change, a failing script, a
/// connector failure with retries and a crash-restart: afterwards its bytes
/// (UTF-8 and UTF-16LE) are in no output of any command and no file.
@Suite("CLI: the canary never leaks from the queue", .offThePool)
struct QueueCanaryTests {
    static let broken = """
        type: sql
        connection:
          url: sqlite:var/hr.db
          table: portal_users
          keyColumn: login
          passwordColumn: password_hash
          passwordStorage: sha256-hex
          operations: initialize, reset
        mapping:
          attributes:
            - { name: login, source: username, uid: true }
            - { name: __PASSWORD__, password: true, transform: scripts/refuse-canary.lua }

        """

    @Test func theCanaryIsNowhere() throws {
        let fixture = try QueueFixture(
            retry: "{ maxAttempts: 3, backoff: fixed, delay: 1h, maxDelay: 1h }", extraConnectors: ["broken": Self.broken])
        try fixture.scratch.write(
            "scripts/refuse-canary.lua",
            "if attributeValue == nil then return nil end\nif attributeValue:contains(\"CANARY\") then error(\"refused\") end\nreturn attributeValue\n")
        try DatabaseQueue(path: fixture.hrPath).write { db in
            try db.execute(sql: "CREATE TABLE portal_users (login TEXT PRIMARY KEY, password_hash TEXT)")
        }
        let canary = Canary.password
        var outputs: [String] = []
        func run(_ arguments: String..., stdin: String? = nil) throws -> CommandResult {
            let result = try fixture.scratch.run(arguments: arguments, stdin: stdin.map { Data($0.utf8) })
            outputs.append(result.stdout + result.stderr)
            return result
        }
        try fixture.prepare()

        // Create, then reset to the canary, then change from it.
        #expect(try run("account", "create", "--user", "ada", "--system", "hr").status == 0)
        #expect(try run("password", "reset", "--user", "ada", "--system", "hr", "--stdin", stdin: canary + "\n").status == 0)
        let changed = try run("password", "change", "--user", "ada", "--system", "hr", "--stdin", stdin: "\(canary)\n\(canary)-2\n")
        #expect(changed.status == 0, "\(changed)")

        // A failing script: refused, nothing queued.
        #expect(try run("account", "create", "--user", "ada", "--system", "broken").status == 0)
        let refused = try run("password", "reset", "--user", "ada", "--system", "broken", "--stdin", stdin: canary + "-3\n")
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("refuse-canary.lua"), "\(refused)")

        // A connector failure (the target locked), a retry, then success.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: fixture.hrPath, configuration: configuration)
        try holder.inDatabase { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let queued = try run("password", "reset", "--user", "ada", "--system", "hr", "--stdin", stdin: canary + "-4\n")
        #expect(queued.status == 0, "\(queued)")
        #expect(queued.stdout.contains("retrying"), "\(queued)")
        try holder.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        let retryID: Int64 = try #require(try fixture.store("SELECT id FROM operations WHERE state = 'retrying'"))
        #expect(try run("queue", "retry", "\(retryID)").status == 0)
        #expect(try run("run", "--drain", "--verbose").status == 0)
        #expect(try fixture.store("SELECT state FROM operations WHERE id = \(retryID)") == "executed")

        // A crash after a worker claimed an operation: the restart resumes it.
        #expect(try run("password", "reset", "--user", "ada", "--system", "hr", "--stdin", "--no-wait", stdin: canary + "-5\n").status == 0)
        let store = try DatabaseQueue(path: fixture.storePath)
        try store.write { db in try db.execute(sql: "UPDATE operations SET state = 'running', attempts = 1 WHERE state = 'created'") }
        let resumed = try run("run", "--drain", "--verbose")
        #expect(resumed.stderr.contains("resuming 1 operation"), "\(resumed)")
        // The system holds the last password: a change from it succeeds.
        let last = try run("password", "change", "--user", "ada", "--system", "hr", "--stdin", stdin: "\(canary)-5\n\(canary)-6\n")
        #expect(last.status == 0, "\(last)")

        // Everything a person could read afterwards.
        let count: Int = try #require(try fixture.store("SELECT max(id) FROM operations"))
        for id in 1...count {
            _ = try run("queue", "show", "\(id)")
            _ = try run("queue", "show", "\(id)", "--json")
        }
        _ = try run("queue", "list")
        _ = try run("queue", "list", "--json")
        _ = try run("audit")
        _ = try run("audit", "--json")
        _ = try run("account", "list", "--user", "ada")

        let needles = [Array(canary.utf8), Array(canary.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }]
        for output in outputs {
            #expect(!output.contains(canary), "\(output)")
        }
        let files = try fixture.allFiles()
        #expect(files.contains { $0.path.hasSuffix("var/keyward.db") })
        #expect(files.contains { $0.path.hasSuffix("var/hr.db") })
        for file in files {
            for needle in needles {
                #expect(file.bytes.firstRange(of: needle) == nil, "\(file.path) holds the canary")
            }
        }
        // The scan can fail: a file holding the canary is found.
        #expect(Data((canary + "\n").utf8).firstRange(of: needles[0]) != nil)
    }
}
