import Foundation
import GRDB
import KeywardTestSupport
import Testing

/// `keyward account initialize`: one-way and two-way by mail, from the
/// command line, with the mail written to a folder.
@Suite("CLI: account initialize", .offThePool)
struct AccountInitializeTests {
    static func mails(_ fixture: QueueFixture, kind: String) throws -> [String] {
        let folder = fixture.url.appendingPathComponent("var/mail")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.filter { $0.contains(kind) }.sorted().map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
    }

    @Test func oneWayCreatesTheAccountThenMailsItsPasswordAndKeepsNothing() throws {
        let fixture = try ServeCommandTests.fixture()
        let result = try fixture.run("account", "initialize", "--user", "ada", "--system", "hr", "--mode", "one-way")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("mail: 1 sent"), "\(result)")
        #expect((try fixture.hr("SELECT count(*) FROM employees WHERE login = 'ada'") as Int?) == 1)
        let mails = try Self.mails(fixture, kind: "initialize-one-way")
        #expect(mails.count == 1)
        #expect(mails.first?.contains("To: ada@example.com") == true || mails.first?.contains("<ada@example.com>") == true)
        #expect((try fixture.store("SELECT count(*) FROM notification_outbox") as Int?) == 0)
        #expect(!result.stdout.contains("Password"), "the password is never printed")
    }

    @Test func twoWayMailsALinkToThePublicAddressAndCreatesNothingYet() throws {
        let fixture = try ServeCommandTests.fixture()
        let result = try fixture.run(
            "account", "initialize", "--user", "grace", "--system", "hr", "--mode", "two-way",
            "--public-url", "https://keyward.example.com")
        #expect(result.status == 0, "\(result)")
        let mail = try #require(try Self.mails(fixture, kind: "initialize-two-way").first)
        #expect(mail.contains("https://keyward.example.com/set-password/"), "\(mail)")
        #expect((try fixture.hr("SELECT count(*) FROM employees WHERE login = 'grace'") as Int?) == 0)
        #expect((try fixture.store("SELECT count(*) FROM set_password_tokens WHERE username = 'grace'") as Int?) == 1)
    }

    @Test func withoutMailConfiguredItIsRefusedAndNothingIsQueued() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let result = try fixture.run("account", "initialize", "--user", "ada", "--system", "hr", "--mode", "one-way")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("mail:"), "\(result)")
        #expect((try fixture.store("SELECT count(*) FROM operations") as Int?) == 0)
    }

    @Test func aPersonWithoutAnAddressIsRefusedBeforeAnythingIsQueued() throws {
        let fixture = try ServeCommandTests.fixture()
        try fixture.scratch.write("nomail.csv", "username,givenName\nlinus,Linus\n")
        #expect(try fixture.run("identity", "import", "nomail.csv").status == 0)
        let result = try fixture.run("account", "initialize", "--user", "linus", "--system", "hr", "--mode", "one-way")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("linus"), "\(result)")
        #expect((try fixture.store("SELECT count(*) FROM operations") as Int?) == 0)
        #expect((try fixture.hr("SELECT count(*) FROM employees WHERE login = 'linus'") as Int?) == 0)
    }
}
