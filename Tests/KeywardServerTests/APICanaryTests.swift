import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// A canary password through change, typed reset and refusals, and the
/// generated password and link of both initializations: none of them in any
/// response (body or header), the server's logs (access log included), the
/// executor's logs, the audit log, or the store's files.
@Suite("API: the canary", .offThePool)
struct APICanaryTests {
    @Test func noSecretLeavesThroughTheAPI() async throws {
        let notifier = APIRecordingNotifier()
        let server = try await ServerHarness.start(notifier: notifier)
        try await server.createAccount("ada", password: "Start-Passw0rd-1")
        let token = try await server.token("everything", scopes: APIScope.allCases.map(\.rawValue))
        let canary = Canary.password
        var replies: [ServerHarness.Reply] = []
        func send(_ method: ServerHarness.Method, _ path: String, _ body: String? = nil) async throws -> ServerHarness.Reply {
            let reply = try await server.api(method, path, token: token, body: body)
            replies.append(reply)
            return reply
        }

        let changed = try await send(
            .POST, "/api/v1/people/ada/change",
            #"{"currentPassword": "Start-Passw0rd-1", "newPassword": "\#(canary)"}"#)
        #expect(changed.status == 202)
        try await server.executor.drain()
        #expect(try server.holds(canary, login: "ada"))
        let reset = try await send(
            .POST, "/api/v1/people/ada/reset", #"{"system": "hr", "password": "\#(canary)-R", "mustChange": false}"#)
        #expect(reset.status == 202)
        try await server.executor.drain()
        let back = try await send(
            .POST, "/api/v1/people/ada/change", #"{"currentPassword": "\#(canary)-R", "newPassword": "Final-Passw0rd-3"}"#)
        #expect(back.status == 202)
        // Refusals carrying it: an unknown person, an unknown field, a weak variant, bad JSON after it.
        #expect(try await send(.POST, "/api/v1/people/nobody/reset", #"{"system": "hr", "password": "\#(canary)"}"#).status == 404)
        #expect(try await send(.POST, "/api/v1/people/ada/reset", #"{"system": "hr", "passwrd": "\#(canary)"}"#).status == 400)
        #expect(try await send(.POST, "/api/v1/people/ada/reset", #"{"system": "hr", "password": "\#(canary)", x}"#).status == 400)
        #expect(try await send(.POST, "/api/v1/people/ada/change", #"{"currentPassword": "\#(canary)", "newPassword": "Kw"}"#).status == 422)
        // Both initializations.
        #expect(try await send(.POST, "/api/v1/people/grace/initialize", #"{"system": "hr", "mode": "one-way"}"#).status == 202)
        #expect(try await send(.POST, "/api/v1/people/linus/initialize", #"{"system": "hr", "mode": "two-way"}"#).status == 202)
        try await server.executor.drain()
        _ = try await send(.GET, "/api/v1/operations?limit=1000")
        _ = try await send(.GET, "/api/v1/audit?limit=1000")
        _ = try await send(.GET, "/api/v1/people/ada/accounts")
        let metrics = try await server.request(.GET, "/metrics")
        replies.append(metrics)
        #expect(try server.holds("Final-Passw0rd-3", login: "ada"))

        let generated = try #require(notifier.notices.first { $0.kind == .initializeOneWay }?.password).withPlaintext { $0 }
        #expect(try server.holds(generated, login: "grace"))
        let link = try #require(notifier.notices.first { $0.kind == .initializeTwoWay }?.link).withPlaintext { $0 }
        let linkToken = String(link.dropFirst(server.settings.linkBase.count))
        #expect(linkToken.count == 43)
        let secrets = [canary, generated, linkToken]

        var places: [(String, String)] = replies.enumerated().map { ("reply \($0.offset)", $0.element.everything) }
        places.append(("server log", server.logs.lines.joined(separator: "\n")))
        places.append(("executor log", server.engine.logs.lines.joined(separator: "\n")))
        places.append(("audit", try await server.engine.auditTrail().map { "\($0)" }.joined(separator: "\n")))
        for file in try server.engine.storeFiles() {
            let data = try Data(contentsOf: server.engine.folder.appendingPathComponent(file))
            places.append((file, String(decoding: data, as: UTF8.self)))
        }
        #expect(server.logs.lines.contains { $0.contains("POST /api/v1/people/ada/change 202") })
        #expect(try server.engine.storeFiles().contains("keyward.db-wal"))
        for (place, text) in places {
            for secret in secrets {
                #expect(!text.contains(secret), "a secret (\(secret.prefix(3))…) is in the \(place)")
            }
        }
        await server.stop()
    }
}
