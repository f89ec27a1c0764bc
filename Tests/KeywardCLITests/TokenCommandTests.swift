import Foundation
import GRDB
import KeywardTestSupport
import Testing

/// `keyward token create | list | revoke` against a real store.
@Suite("CLI: API tokens", .offThePool)
struct TokenCommandTests {
    @Test func createPrintsTheTokenAloneOnStdoutAndStoresOnlyItsHash() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()

        let created = try fixture.run("token", "create", "--name", "ci-bot", "--scope", "reset", "--scope", "unlock", "--expires-in", "90d")

        #expect(created.status == 0, "\(created)")
        #expect(created.stdoutLines.count == 1)
        let token = String(try #require(created.stdoutLines.first))
        #expect(token.hasPrefix("kw_") && token.count == 46)
        #expect(created.stderr.contains("created API token 'ci-bot' (scopes: reset, unlock; expires "), "\(created)")
        #expect(created.stderr.contains("warning: this is the only time the token is shown"), "\(created)")
        let stored = try DatabaseQueue(path: fixture.storePath).read { db in
            try Row.fetchOne(db, sql: "SELECT name, scopes, expires_at, created_by FROM api_tokens")
        }
        let row = try #require(stored)
        #expect(row["name"] as String == "ci-bot")
        #expect(row["scopes"] as String == "reset unlock")
        let expires: Double = row["expires_at"]
        #expect(abs(expires - Date().addingTimeInterval(90 * 86_400).timeIntervalSince1970) < 600)
        #expect((row["created_by"] as String).hasPrefix("cli:"))
        let file = try Data(contentsOf: URL(fileURLWithPath: fixture.storePath))
            + ((try? Data(contentsOf: URL(fileURLWithPath: fixture.storePath + "-wal"))) ?? Data())
        #expect(file.range(of: Data(token.utf8)) == nil)

        let listed = try fixture.run("token", "list")
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout.contains("ci-bot active [reset, unlock]"), "\(listed)")
        #expect(listed.stdout.contains("never used"))
        #expect(!listed.allOutput.contains(token))
        let json = try fixture.run("token", "list", "--json")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "ci-bot")
        #expect(object["scopes"] as? [String] == ["reset", "unlock"])
        #expect(object["state"] as? String == "active")
    }

    @Test func revokeStopsTheTokenAndFreesItsName() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        #expect(try fixture.run("token", "create", "--name", "ci", "--scope", "change").status == 0)

        let again = try fixture.run("token", "create", "--name", "ci", "--scope", "change")
        let revoked = try fixture.run("token", "revoke", "ci")
        let listed = try fixture.run("token", "list")
        let twice = try fixture.run("token", "revoke", "ci")
        let unknown = try fixture.run("token", "revoke", "nobody")
        let reused = try fixture.run("token", "create", "--name", "ci", "--scope", "unlock")
        let audit = try fixture.run("audit")

        #expect(again.status != 0)
        #expect(again.stderr.contains("an API token named 'ci' exists already"), "\(again)")
        #expect(revoked.status == 0, "\(revoked)")
        #expect(revoked.stdout.contains("revoked API token 'ci'"))
        #expect(listed.stdout.contains("ci revoked [change]"), "\(listed)")
        #expect(twice.status != 0)
        #expect(twice.stderr.contains("revoked already"), "\(twice)")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no API token is named 'nobody'"), "\(unknown)")
        #expect(reused.status == 0, "\(reused)")
        #expect(audit.stdout.contains("api-token"), "\(audit)")
        #expect(audit.stdout.contains("revoked"), "\(audit)")
    }

    @Test func badOptionsAreRefusedByName() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()

        let noScope = try fixture.run("token", "create", "--name", "ci")
        let badScope = try fixture.run("token", "create", "--name", "ci", "--scope", "admin")
        let badAge = try fixture.run("token", "create", "--name", "ci", "--scope", "reset", "--expires-in", "soon")
        let badName = try fixture.run("token", "create", "--name", "ci bot", "--scope", "reset")
        let none = try fixture.run("token", "list")

        #expect(noScope.status != 0)
        #expect(noScope.stderr.contains("give at least one --scope: initialize, change, reset, unlock, queue:read, audit:read, helpdesk"), "\(noScope)")
        #expect(badScope.stderr.contains("--scope 'admin' is not one of"), "\(badScope)")
        #expect(badAge.stderr.contains("--expires-in 'soon' is not an age"), "\(badAge)")
        #expect(badName.stderr.contains("--name 'ci bot' must be"), "\(badName)")
        #expect(none.stdout.contains("no API tokens"), "\(none)")
        #expect(noScope.stdout.isEmpty && badScope.stdout.isEmpty)
    }
}
