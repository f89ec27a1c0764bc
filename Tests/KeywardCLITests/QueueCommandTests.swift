import Foundation
import GRDB
import KeywardTestSupport
import Testing

/// The operator's commands end to end: keygen, identity import, account
/// create, password reset and change, unlock, queue and audit, against a
/// real SQLite target table.
@Suite("CLI: the main job on the embedded store", .offThePool)
struct QueueCommandTests {
    @Test func keygenWritesAKeyReadableOnlyByItsOwner() throws {
        let fixture = try QueueFixture()
        let result = try fixture.run("keygen")
        #expect(result.status == 0, "\(result)")
        let key = fixture.url.appendingPathComponent("var/keyward.key").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let again = try fixture.run("keygen")
        #expect(again.status == 2)
        #expect(again.stderr.contains("exists"), "\(again)")
    }

    @Test func theWholeJob() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()

        let created = try fixture.run("account", "create", "--user", "ada", "--system", "hr")
        #expect(created.status == 0, "\(created)")
        #expect(created.stdout.contains("hr: operation 1 executed: create ada"), "\(created)")
        #expect(created.stdout.contains("password: generated, not shown"), "\(created)")
        #expect(try fixture.hr("SELECT first_name FROM employees WHERE login = 'ada'") == "Ada")
        let hash: String = try #require(try fixture.hr("SELECT password_hash FROM employees WHERE login = 'ada'"))
        #expect(hash.hasPrefix("$pbkdf2-sha256$1000$"))

        let reset = try fixture.run(
            "password", "reset", "--user", "ada", "--system", "hr", "--stdin", "--must-change", stdin: "Chosen-by-helpdesk-1\n")
        #expect(reset.status == 0, "\(reset)")
        #expect(try fixture.hr("SELECT must_change FROM employees WHERE login = 'ada'") == 1)

        let changed = try fixture.run(
            "password", "change", "--user", "ada", "--stdin", stdin: "Chosen-by-helpdesk-1\nAda-picks-her-own-2\n")
        #expect(changed.status == 0, "\(changed)")
        #expect(changed.stdout.contains("executed: change ada"), "\(changed)")
        #expect(try fixture.hr("SELECT must_change FROM employees WHERE login = 'ada'") == 0)

        let wrong = try fixture.run(
            "password", "change", "--user", "ada", "--stdin", stdin: "Not-her-password-3\nAnother-one-of-hers-4\n")
        #expect(wrong.status == 1, "\(wrong)")
        #expect(wrong.stdout.contains("failed: change ada"), "\(wrong)")
        #expect(wrong.stdout.contains("not correct"), "\(wrong)")

        let hrQueue = try DatabaseQueue(path: fixture.hrPath)
        try hrQueue.write { db in try db.execute(sql: "UPDATE employees SET locked = 1 WHERE login = 'ada'") }
        let unlocked = try fixture.run("account", "unlock", "--user", "ada", "--system", "hr")
        #expect(unlocked.status == 0, "\(unlocked)")
        #expect(try fixture.hr("SELECT locked FROM employees WHERE login = 'ada'") == 0)

        let accounts = try fixture.run("account", "list", "--user", "ada")
        #expect(accounts.stdout.contains("hr: ada (active, not locked)"), "\(accounts)")

        let list = try fixture.run("queue", "list")
        #expect(list.status == 0)
        #expect(list.stdout.contains("#1 executed create ada on hr"), "\(list)")
        #expect(list.stdout.contains("failed change ada on hr"), "\(list)")
        let show = try fixture.run("queue", "show", "1", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "executed")
        #expect(object["holdsSecrets"] as? Bool == false)

        let audit = try fixture.run("audit", "--user", "ada")
        #expect(audit.status == 0)
        for action in ["create", "reset", "change", "unlock"] {
            #expect(audit.stdout.contains(" \(action) ada on hr/ada"), "\(action): \(audit)")
        }
        #expect(audit.stdout.contains("requested"))
        #expect(audit.stdout.contains(": failed"))
        #expect(try fixture.store("SELECT count(*) FROM secrets") == 0)
    }

    @Test func showPasswordIsRefusedWhenOutputIsNotATerminal() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let result = try fixture.run("account", "create", "--user", "ada", "--system", "hr", "--show-password")
        #expect(result.status == 2)
        #expect(result.stderr.contains("only to a terminal"), "\(result)")
        #expect(try fixture.store("SELECT count(*) FROM operations") == 0)
    }

    @Test func noWaitOnlyQueuesAndRunExecutes() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let queued = try fixture.run("account", "create", "--all-users", "--system", "hr", "--no-wait")
        #expect(queued.status == 0, "\(queued)")
        #expect(try fixture.hr("SELECT count(*) FROM employees") == 0)
        #expect(try fixture.store("SELECT count(*) FROM operations WHERE state = 'created'") == 3)
        let run = try fixture.run("run", "--drain")
        #expect(run.status == 0, "\(run)")
        #expect(try fixture.hr("SELECT count(*) FROM employees") == 3)
        #expect(try fixture.store("SELECT count(*) FROM operations WHERE state = 'executed'") == 3)
    }

    @Test func cancelAndRetryFollowTheRules() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        _ = try fixture.run("account", "create", "--user", "ada", "--system", "hr", "--no-wait")
        let cancelled = try fixture.run("queue", "cancel", "1")
        #expect(cancelled.status == 0, "\(cancelled)")
        #expect(cancelled.stdout.contains("#1 cancelled"), "\(cancelled)")
        #expect(try fixture.store("SELECT count(*) FROM secrets") == 0)
        let again = try fixture.run("queue", "cancel", "1")
        #expect(again.status == 2)
        #expect(again.stderr.contains("cancelled"), "\(again)")
        let retry = try fixture.run("queue", "retry", "1")
        #expect(retry.status == 2, "\(retry)")
        let missing = try fixture.run("queue", "show", "99")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no operation 99"))
    }
}
