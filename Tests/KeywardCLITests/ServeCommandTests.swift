import Foundation
import GRDB
import KeywardTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `keyward serve` as an admin starts it: the real binary on the queue
/// fixture with mail written to a folder, driven over HTTP, stopped by
/// SIGTERM.
@Suite("CLI: keyward serve", .offThePool)
struct ServeCommandTests {
    /// The fixture with `mail:` writing to var/mail.
    static func fixture() throws -> QueueFixture {
        let fixture = try QueueFixture()
        try fixture.scratch.write(
            "keyward.yaml",
            QueueFixture.mainConfiguration + """
                mail:
                  from: Keyward <keyward@example.com>
                  folder: var/mail
                  templates: \(KeywardProcess.repositoryRoot.appendingPathComponent("templates").path)

                """)
        try fixture.prepare()
        return fixture
    }

    /// Starts `keyward serve --port 0` and waits for its banner's address.
    static func serve(_ fixture: QueueFixture, _ extra: [String] = []) throws -> (Background, URL) {
        let server = try Background(["serve", "--port", "0", "--verbose"] + extra, in: fixture.url)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let line = server.output.split(separator: "\n").first(where: { $0.contains("Keyward is serving") }),
                let range = line.range(of: "http://")
            {
                return (server, try #require(URL(string: String(line[range.lowerBound...]))))
            }
            guard server.process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("keyward serve did not start:\n\(server.output)")
        throw CancellationError()
    }

    static func request(
        _ base: URL, _ path: String, method: String = "GET", token: String? = nil, json: String? = nil
    ) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Waits until `condition` holds (the workers run in the server).
    static func eventually(_ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    @Test func servesHealthThenStopsCleanlyOnSIGTERM() async throws {
        let fixture = try Self.fixture()
        let (server, base) = try Self.serve(fixture)
        let health = try await Self.request(base, "healthz")
        #expect(health.status == 200 && health.body == "ok\n", "\(health)")
        #expect(server.output.contains("/helpdesk"), "the banner says where to click")
        #expect(server.terminate() == 0, "\(server.output)")
        #expect(server.output.contains("keyward serve: stopped"))
    }

    @Test func aCanaryResetThroughTheAPIIsExecutedByTheServersWorkersAndLeaksNowhere() async throws {
        let fixture = try Self.fixture()
        #expect(try fixture.run("account", "create", "--user", "ada", "--system", "hr").status == 0)
        let created = try fixture.run("token", "create", "--name", "ci-bot", "--scope", "reset", "--scope", "queue:read")
        #expect(created.status == 0, "\(created)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, base) = try Self.serve(fixture)
        let reset = try await Self.request(
            base, "api/v1/people/ada/reset", method: "POST", token: token,
            json: #"{"system": "hr", "password": "\#(Canary.password)"}"#)
        #expect((200..<300).contains(reset.status), "\(reset)")
        #expect(!reset.body.contains(Canary.password))
        #expect(
            try Self.eventually {
                (try fixture.store("SELECT count(*) FROM operations WHERE state = 'executed' AND action = 'update'") as Int?) == 1
            }, "the server's workers executed the reset")
        // The confirmation mail waits for the reset, then is written and leaves the outbox.
        #expect(try Self.eventually { (try fixture.store("SELECT count(*) FROM notification_outbox") as Int?) == 0 })
        #expect(server.terminate() == 0)
        for (path, bytes) in try fixture.allFiles() {
            #expect(bytes.range(of: Data(Canary.password.utf8)) == nil, "the canary is in \(path)")
        }
        #expect(!server.output.contains(Canary.password))
        #expect(server.output.contains("POST /api/v1/people/ada/reset 2"), "the access log has the request:\n\(server.output)")
    }

    @Test func oneWayInitializationThroughTheAPIMailsThePasswordOnceTheAccountExists() async throws {
        let fixture = try Self.fixture()
        let created = try fixture.run("token", "create", "--name", "desk", "--scope", "initialize")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, base) = try Self.serve(fixture)
        let initialize = try await Self.request(
            base, "api/v1/people/grace/initialize", method: "POST", token: token,
            json: #"{"system": "hr", "mode": "one-way"}"#)
        #expect((200..<300).contains(initialize.status), "\(initialize)")
        let mailFolder = fixture.url.appendingPathComponent("var/mail")
        #expect(
            try Self.eventually {
                ((try? FileManager.default.contentsOfDirectory(atPath: mailFolder.path)) ?? []).contains {
                    $0.contains("initialize-one-way")
                }
            }, "the one-way mail is written once the account exists:\n\(server.output)")
        #expect((try fixture.hr("SELECT count(*) FROM employees WHERE login = 'grace'") as Int?) == 1)
        // The mail file is written first, then its outbox row deleted.
        #expect(
            try Self.eventually { (try fixture.store("SELECT count(*) FROM notification_outbox") as Int?) == 0 },
            "sent mail is deleted")
        #expect(server.terminate() == 0)
    }

    @Test func refusesABadPublicURLBeforeStarting() throws {
        let fixture = try Self.fixture()
        let result = try fixture.run("serve", "--public-url", "ftp://example.com")
        #expect(result.status == 2)
        #expect(result.stderr.contains("--public-url must be an http:// or https:// address"), "\(result)")
    }
}
