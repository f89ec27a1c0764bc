import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// Initialization through the API: one-way (generated, provisioned, the
/// password handed to the mail only) and two-way (a link mailed).
@Suite("API: initialize", .offThePool)
struct APIInitializeTests {
    @Test func oneWayQueuesTheAccountAndMailsThePasswordWithoutAnsweringIt() async throws {
        let notifier = APIRecordingNotifier()
        let server = try await ServerHarness.start(notifier: notifier)
        let token = try await server.token("hr-feed", scopes: ["initialize"])

        let reply = try await server.api(
            .POST, "/api/v1/people/grace/initialize", token: token, body: #"{"system": "hr", "mode": "one-way"}"#)

        #expect(reply.status == 202, "\(reply.body)")
        #expect(Set(reply.json.keys) == ["requestID", "systems", "operationIDs", "state"])
        let notice = try #require(notifier.notices.first)
        #expect(notice.kind == .initializeOneWay)
        #expect(notice.requester == "api:hr-feed")
        let password = try #require(notice.password).withPlaintext { $0 }
        #expect(!reply.body.contains(password))
        try await server.executor.drain()
        #expect(try server.holds(password, login: "grace"))
        await server.stop()
    }

    @Test func twoWayMailsALinkAndAnswersItsExpiry() async throws {
        let notifier = APIRecordingNotifier()
        let server = try await ServerHarness.start(notifier: notifier)
        let token = try await server.token("hr-feed", scopes: ["initialize"])

        let reply = try await server.api(
            .POST, "/api/v1/people/linus/initialize", token: token, body: #"{"system": "hr", "mode": "two-way"}"#)

        #expect(reply.status == 202, "\(reply.body)")
        #expect(reply.json["state"] as? String == "link-sent")
        #expect(reply.json["expiresAt"] is String)
        let link = try #require(notifier.notices.first?.link).withPlaintext { $0 }
        #expect(link.hasPrefix(server.settings.linkBase))
        #expect(!reply.body.contains(String(link.dropFirst(server.settings.linkBase.count))))
        #expect(try await server.engine.operations().isEmpty)
        await server.stop()
    }

    @Test func withoutMailOrAnAddressItIs503AndQueuesNothing() async throws {
        let noMail = try await ServerHarness.start()
        let token = try await noMail.token("hr-feed", scopes: ["initialize"])
        let refused = try await noMail.api(.POST, "/api/v1/people/grace/initialize", token: token, body: #"{"system": "hr"}"#)
        #expect(try await noMail.engine.operations().isEmpty)
        await noMail.stop()

        let server = try await ServerHarness.start(notifier: APIRecordingNotifier())
        let other = try await server.token("hr-feed", scopes: ["initialize"])
        let noAddress = try await server.api(
            .POST, "/api/v1/people/margaret/initialize", token: other, body: #"{"system": "hr"}"#)
        let badMode = try await server.api(
            .POST, "/api/v1/people/grace/initialize", token: other, body: #"{"system": "hr", "mode": "three-way"}"#)
        #expect(try await server.engine.operations().isEmpty)
        await server.stop()

        #expect(refused.status == 503)
        #expect(refused.errorKind == "notification")
        #expect(refused.errorMessage.contains("needs mail"))
        #expect(noAddress.status == 503)
        #expect(noAddress.errorMessage.contains("no mail address"))
        #expect(badMode.status == 400)
        #expect(badMode.errorMessage.contains("one-way or two-way"))
    }
}
