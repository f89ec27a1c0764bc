import Foundation
import GRDB
import KeywardTestSupport
import Testing

/// Bad input to the operator's commands: refused with a message a person can
/// act on, and nothing stored is damaged.
@Suite("CLI: the queue refuses bad input", .offThePool)
struct QueueInputTests {
    @Test func withoutAKeyNothingStarts() throws {
        let fixture = try QueueFixture()
        for arguments in [["identity", "import", "people.csv"], ["queue", "list"], ["run", "--drain"], ["audit"]] {
            let result = try fixture.scratch.run(arguments: arguments)
            #expect(result.status == 2, "\(arguments): \(result)")
            #expect(result.stderr.contains("no master key"), "\(arguments): \(result)")
            #expect(result.stderr.contains("keyward keygen"), "\(arguments): \(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.storePath))
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let key = fixture.url.appendingPathComponent("var/keyward.key").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let result = try fixture.run("queue", "list")
        #expect(result.status == 2)
        #expect(result.stderr.contains("chmod 600"), "\(result)")
    }

    @Test func theWrongKeyFailsCleanlyNamingTheKeyAndLosesNothing() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let queued = try fixture.run("account", "create", "--user", "ada", "--system", "hr", "--no-wait")
        #expect(queued.status == 0, "\(queued)")
        let keyID = try #require(
            try fixture.store("SELECT key_id FROM secrets LIMIT 1") as String?)
        let other = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let wrong = try fixture.run("run", "--drain", environment: ["KEYWARD_MASTER_KEY": other])
        #expect(wrong.status != 0, "\(wrong)")
        #expect(wrong.stderr.contains(keyID), "the message names the key the value is under: \(wrong)")
        #expect(try fixture.store("SELECT state FROM operations WHERE id = 1") == "created")
        #expect(try fixture.store("SELECT count(*) FROM secrets") == 1)
        // The right key still works: nothing was lost.
        let right = try fixture.run("run", "--drain")
        #expect(right.status == 0, "\(right)")
        #expect(try fixture.store("SELECT state FROM operations WHERE id = 1") == "executed")
    }

    @Test func aCorruptStoreIsRefusedAndLeftAsItWas() throws {
        let fixture = try QueueFixture()
        #expect(try fixture.run("keygen").status == 0)
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: fixture.storePath))
        let result = try fixture.run("queue", "list")
        #expect(result.status == 2)
        #expect(result.stderr.contains("var/keyward.db"), "\(result)")
        #expect(result.stderr.contains("not a Keyward store"), "\(result)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.storePath)) == garbage)
    }

    @Test func aLockedStoreIsReportedAsLocked() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: fixture.storePath, configuration: configuration)
        try holder.inDatabase { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        defer { try? holder.inDatabase { db in try db.execute(sql: "ROLLBACK") } }
        let result = try fixture.run("account", "create", "--user", "ada", "--system", "hr")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("locked"), "\(result)")
        try holder.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        #expect(try fixture.store("SELECT count(*) FROM operations") == 0)
    }

    @Test(arguments: [
        (["account", "create", "--user", "nobody", "--system", "hr"], "no person with username 'nobody'"),
        (["account", "create", "--user", "ada", "--system", "hrr"], "did you mean 'hr'"),
        (["account", "unlock", "--user", "ada", "--system", "hr"], "has no account on hr"),
        (["password", "reset", "--user", "ada", "--system", "payroll"], "no system named 'payroll'"),
        (["queue", "list", "--state", "done"], "unknown state 'done'"),
        (["audit", "--since", "yesterday"], "is not a date"),
    ])
    func refusedBeforeAnythingRuns(arguments: [String], message: String) throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let result = try fixture.scratch.run(arguments: arguments)
        #expect(result.status == 2, "\(arguments): \(result)")
        #expect(result.stderr.contains(message), "\(arguments): \(result)")
        #expect(try fixture.store("SELECT count(*) FROM operations") == 0)
    }

    @Test func anOperationTheSystemDoesNotSupportIsRefusedBeforeAnythingRuns() throws {
        let fixture = try QueueFixture(operations: "initialize, reset")
        try fixture.prepare()
        #expect(try fixture.run("account", "create", "--user", "ada", "--system", "hr").status == 0)
        let unlock = try fixture.run("account", "unlock", "--user", "ada", "--system", "hr")
        #expect(unlock.status == 2)
        #expect(unlock.stderr.contains("does not support unlock; it supports: initialize, reset"), "\(unlock)")
        let change = try fixture.run("password", "change", "--user", "ada", "--system", "hr", "--stdin", stdin: "a-b-c-d-e-f-1\nA-B-C-D-E-F-2x\n")
        #expect(change.status == 2)
        #expect(change.stderr.contains("does not support change"), "\(change)")
        #expect(try fixture.store("SELECT count(*) FROM operations") == 1)
    }

    @Test func manyPeopleOneRefusedTheOthersGoOn() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let result = try fixture.run("account", "create", "--user", "ada", "--user", "nobody", "--user", "alan", "--system", "hr")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("no person with username 'nobody'"), "\(result)")
        #expect(result.stdout.contains("queued 2 operation(s) for 2 people; 1 refused"), "\(result)")
        #expect(try fixture.hr("SELECT count(*) FROM employees") == 2)
    }

    @Test func cleartextStorageIsWarnedAboutAtEveryStart() throws {
        let fixture = try QueueFixture()
        let text = try String(contentsOf: fixture.url.appendingPathComponent("connectors/hr.yaml"), encoding: .utf8)
        try fixture.scratch.write("connectors/hr.yaml", text.replacingOccurrences(of: "pbkdf2-sha256", with: "cleartext"))
        try fixture.prepare()
        let result = try fixture.run("account", "create", "--user", "ada", "--system", "hr")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("warning: "), "\(result)")
        #expect(result.stderr.contains("cleartext"), "\(result)")
    }

    @Test func aBadIdentityFileReportsEachRowAndImportsTheRest() throws {
        let fixture = try QueueFixture()
        #expect(try fixture.run("keygen").status == 0)
        try fixture.scratch.write("bad.csv", "username,email\nada,ada@example.com\n,nobody@example.com\nalan,not-an-address\ngrace,grace@example.com\n")
        let result = try fixture.run("identity", "import", "bad.csv")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("bad.csv:3:"), "\(result)")
        #expect(result.stderr.contains("bad.csv:4:"), "\(result)")
        #expect(result.stdout.contains("imported 2 people"), "\(result)")
        let missing = try fixture.run("identity", "import", "nope.csv")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.csv"), "\(missing)")
    }
}
