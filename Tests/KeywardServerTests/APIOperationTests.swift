import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// Change, reset and unlock through the API, from the request to the row in
/// the target table: the real server, desk, queue and `sql` connector.
@Suite("API: change, reset, unlock", .offThePool)
struct APIOperationTests {
    static let old = "Old-Passw0rd-1"
    static let new = "New-Passw0rd-2"

    @Test func changeQueuesThenTheWorkersChangeTheRow() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: Self.old)
        let token = try await server.token("portal", scopes: ["change"])

        let reply = try await server.api(
            .POST, "/api/v1/people/ada/change", token: token,
            body: #"{"systems": ["hr"], "currentPassword": "\#(Self.old)", "newPassword": "\#(Self.new)"}"#)

        #expect(reply.status == 202, "\(reply.body)")
        #expect(reply.json["state"] as? String == "queued")
        #expect(reply.json["systems"] as? [String] == ["hr"])
        let ids = try #require(reply.json["operationIDs"] as? [Int])
        #expect(ids.count == 1)
        #expect(try server.holds(Self.old, login: "ada"))
        #expect(try await server.executor.drain() == 1)
        #expect(try server.holds(Self.new, login: "ada"))
        #expect(!(try server.holds(Self.old, login: "ada")))
        let trail = try await server.engine.auditTrail()
        #expect(trail.contains { $0.actor == "api:portal" && $0.action == "change" && $0.outcome == "requested" })
        await server.stop()
    }

    @Test func aWeakNewPasswordIs422WithThePolicysMessage() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: Self.old)
        let token = try await server.token("portal", scopes: ["change"])

        let reply = try await server.api(
            .POST, "/api/v1/people/ada/change", token: token,
            body: #"{"currentPassword": "\#(Self.old)", "newPassword": "short"}"#)

        #expect(reply.status == 422, "\(reply.body)")
        #expect(reply.errorKind == "planning")
        #expect(reply.errorMessage.contains("8"), "\(reply.errorMessage)")
        #expect(!reply.body.contains("short\""))
        #expect(try await server.engine.operations().count == 1)  // the create only
        await server.stop()
    }

    @Test func aChangeWithoutAnAccountIs409AndAnUnknownPersonIs404() async throws {
        let server = try await ServerHarness.start()
        let token = try await server.token("portal", scopes: ["change"])
        let body = #"{"currentPassword": "\#(Self.old)", "newPassword": "\#(Self.new)"}"#

        let noAccount = try await server.api(.POST, "/api/v1/people/grace/change", token: token, body: body)
        let nobody = try await server.api(.POST, "/api/v1/people/nobody/change", token: token, body: body)
        await server.stop()

        #expect(noAccount.status == 409, "\(noAccount.body)")
        #expect(noAccount.errorKind == "account")
        #expect(nobody.status == 404, "\(nobody.body)")
        #expect(nobody.errorKind == "unknown-user")
    }

    @Test func aTypedResetWithMustChangeReachesTheRow() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: Self.old)
        let token = try await server.token("helpdesk-bot", scopes: ["reset"])

        let reply = try await server.api(
            .POST, "/api/v1/people/ada/reset", token: token,
            body: #"{"system": "hr", "password": "\#(Self.new)", "mustChange": true}"#)

        #expect(reply.status == 202, "\(reply.body)")
        try await server.executor.drain()
        #expect(try server.holds(Self.new, login: "ada"))
        #expect(try server.row("ada")?.mustChange == 1)
        await server.stop()
    }

    @Test func aGeneratedResetIsNeverInTheAnswerItIsMailedToThePerson() async throws {
        let notifier = APIRecordingNotifier()
        let server = try await ServerHarness.start(notifier: notifier)
        try await server.createAccount("ada", password: Self.old)
        let before = try #require(try server.row("ada")?.passwordHash)
        let token = try await server.token("helpdesk-bot", scopes: ["reset"])

        let reply = try await server.api(.POST, "/api/v1/people/ada/reset", token: token, body: #"{"system": "hr"}"#)

        #expect(reply.status == 202, "\(reply.body)")
        #expect(Set(reply.json.keys) == ["requestID", "systems", "operationIDs", "state"])
        try await server.executor.drain()
        let after = try #require(try server.row("ada")?.passwordHash)
        #expect(after != before)
        #expect(!(try server.holds(Self.old, login: "ada")))
        let notice = try #require(notifier.notices.first)
        #expect(notice.kind == .resetOneWay && notice.username == "ada" && notice.system == "hr")
        let mailed = try #require(notice.password)
        #expect(try server.holds(mailed.withPlaintext { $0 }, login: "ada"), "the mailed password is the one set")
        #expect(!reply.body.contains(mailed.withPlaintext { $0 }))
        await server.stop()
    }

    @Test func aGeneratedResetWithoutMailIsRefusedAndNothingIsQueued() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: Self.old)
        let token = try await server.token("helpdesk-bot", scopes: ["reset"])

        let reply = try await server.api(.POST, "/api/v1/people/ada/reset", token: token, body: #"{"system": "hr"}"#)

        #expect(reply.status == 503, "\(reply.body)")
        #expect(reply.body.contains("type the password instead"), "\(reply.body)")
        #expect(try await server.store.operations(OperationFilter()).filter { $0.action == .update }.isEmpty)
        #expect(try server.holds(Self.old, login: "ada"))
        await server.stop()
    }

    @Test func unknownSystemIs404AndAnUnsupportedOperationIs422() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", system: "payroll", password: Self.old)
        let token = try await server.token("ops", scopes: ["unlock", "reset"])

        let unknown = try await server.api(.POST, "/api/v1/people/ada/unlock", token: token, body: #"{"system": "mainframe"}"#)
        let unsupported = try await server.api(.POST, "/api/v1/people/ada/unlock", token: token, body: #"{"system": "payroll"}"#)
        await server.stop()

        #expect(unknown.status == 404, "\(unknown.body)")
        #expect(unknown.errorKind == "unknown-system")
        #expect(unsupported.status == 422, "\(unsupported.body)")
        #expect(unsupported.errorKind == "unsupported")
        #expect(unsupported.errorMessage.contains("payroll"))
    }

    @Test func unlockClearsTheLockedColumn() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: Self.old)
        try server.lock("ada")
        let token = try await server.token("ops", scopes: ["unlock"])

        let reply = try await server.api(.POST, "/api/v1/people/ada/unlock", token: token, body: #"{"system": "hr"}"#)

        #expect(reply.status == 202, "\(reply.body)")
        #expect(try server.row("ada")?.locked == 1)
        try await server.executor.drain()
        #expect(try server.row("ada")?.locked == 0)
        await server.stop()
    }

    @Test func passwordAttemptsPerPersonRunOutWith429AndRetryAfter() async throws {
        let server = try await ServerHarness.start { $0.attemptsPerAccountPerHour = 2 }
        try await server.createAccount("ada", password: Self.old)
        let token = try await server.token("portal", scopes: ["change", "reset"])
        let body = #"{"currentPassword": "Wrong-Passw0rd-9", "newPassword": "\#(Self.new)"}"#

        var statuses: [Int] = []
        for _ in 0..<2 {
            statuses.append(try await server.api(.POST, "/api/v1/people/ada/change", token: token, body: body).status)
        }
        let limited = try await server.api(.POST, "/api/v1/people/ada/change", token: token, body: body)
        let typedReset = try await server.api(
            .POST, "/api/v1/people/ada/reset", token: token, body: #"{"system": "hr", "password": "\#(Self.new)"}"#)
        let otherPerson = try await server.api(.POST, "/api/v1/people/grace/change", token: token, body: body)
        await server.stop()

        #expect(statuses == [202, 202])
        #expect(limited.status == 429)
        #expect(limited.errorKind == "rate-limited")
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(typedReset.status == 429)
        #expect(otherPerson.status == 409)
    }

    @Test func malformedBodiesAre400_413_415AndQueueNothing() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: Self.old)
        let token = try await server.token("ops", scopes: ["unlock", "change"])
        let path = "/api/v1/people/ada/unlock"

        let invalid = try await server.api(.POST, path, token: token, body: #"{"system": "hr""#)
        let unknownField = try await server.api(.POST, path, token: token, body: #"{"system": "hr", "sytem": "x"}"#)
        let missing = try await server.api(.POST, path, token: token, body: "{}")
        let wrongType = try await server.api(.POST, path, token: token, body: #"{"system": 7}"#)
        let huge = try await server.api(
            .POST, path, token: token, body: #"{"system": "\#(String(repeating: "x", count: 20_000))"}"#)
        let text = try await server.request(
            .POST, path, headers: ServerHarness.bearer(token) + [("Content-Type", "text/plain")])
        let noCurrent = try await server.api(
            .POST, "/api/v1/people/ada/change", token: token, body: #"{"newPassword": "\#(Self.new)"}"#)
        await server.stop()

        #expect(invalid.status == 400)
        #expect(invalid.errorMessage.contains("not valid JSON"))
        #expect(unknownField.status == 400)
        #expect(unknownField.errorMessage.contains("unknown field 'sytem'"))
        #expect(missing.status == 400)
        #expect(missing.errorMessage == "'system' is required")
        #expect(wrongType.status == 400)
        #expect(huge.status == 413)
        #expect(text.status == 415)
        #expect(noCurrent.status == 400)
        #expect(noCurrent.errorMessage == "'currentPassword' is required")
    }
}
