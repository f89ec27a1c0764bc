import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// Every documented Table API error, from FakeServiceNow through the connector.
@Suite("ServiceNow connector errors against FakeServiceNow", .offThePool)
struct ServiceNowConnectorErrorTests {
    @Test("a 200 with an HTML page is unreachable (transient), not success")
    func htmlPage() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance)
            instance.answerHTML(next: 2)
            let name = CloudFixtures.unique("html")
            let error = await CloudFixtures.expectError(.unreachable) {
                try await connector.create(
                    uid: name, attributes: CloudFixtures.serviceNowPerson(name, password: "Html#Pass-1"),
                    options: PasswordOptions())
            }
            #expect(error?.message.contains("HTML page instead of JSON") == true)
            #expect(error?.message.contains("X-Request-ID") == true)
            #expect(error?.isTransient == true)
            #expect(instance.user(name) == nil)
        }
    }

    @Test("429 with a long Retry-After is throttled with retryAfter; a short one is waited out")
    func rateLimit() async throws {
        try await withFakeServiceNow { instance in
            let sleeps = SleepRecorder()
            let connector = try CloudFixtures.serviceNow(instance, sleeps: sleeps)
            instance.throttle(next: 1, retryAfter: "300")
            let error = await CloudFixtures.expectError(.throttled) { try await connector.test() }
            #expect(error?.retryAfter == .seconds(300))
            #expect(error?.message.contains("Rate limit exceeded") == true)
            instance.throttle(next: 1, retryAfter: "1")
            try await connector.test()
            #expect(sleeps.recorded == [.seconds(1)])
        }
    }

    @Test("a 429 without Retry-After takes its wait from X-RateLimit-Reset")
    func rateLimitReset() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance, sleeps: SleepRecorder())
            instance.throttle(next: 3, retryAfter: nil)
            let error = await CloudFixtures.expectError(.throttled) { try await connector.test() }
            let wait = try #require(error?.retryAfter)
            #expect(wait >= .seconds(58) && wait <= .seconds(61))
        }
    }

    @Test("a wrong integration password is credentialsRejected", arguments: [[:], ServiceNowConnectorTests.oauthPassword])
    func wrongPassword(overrides: [String: ConnectionValue?]) async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(
                instance, overrides, secrets: ["password": "Wrong#Pass-9", "clientSecret": CloudFixtures.clientSecret])
            let error = await CloudFixtures.expectError(.credentialsRejected) { try await connector.test() }
            #expect(error?.message.contains("Wrong#Pass-9") == false)
        }
    }

    @Test("an ACL refusal is permissionDenied, and a duplicate user_name alreadyExists")
    func refusals() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance)
            instance.addUser("taken", password: "Taken#Pass-1")
            let duplicate = await CloudFixtures.expectError(.alreadyExists) {
                try await connector.create(
                    uid: "taken", attributes: CloudFixtures.serviceNowPerson("taken", password: "Dup#Pass-1"),
                    options: PasswordOptions())
            }
            #expect(duplicate?.message.contains("user_name 'taken'") == true)
            #expect(instance.verify("taken", "Taken#Pass-1"))

            instance.denyWrites(true)
            let name = CloudFixtures.unique("acl")
            let denied = await CloudFixtures.expectError(.permissionDenied) {
                try await connector.create(
                    uid: name, attributes: CloudFixtures.serviceNowPerson(name, password: "Acl#Pass-1"),
                    options: PasswordOptions())
            }
            #expect(denied?.message.contains("ACL Exception") == true)
        }
    }

    @Test("a missing table is notFound or a bad request naming it; a uid with ^ is refused before any request")
    func tableAndQuery() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance, ["table": .plain("u_accounts")])
            let error = await CloudFixtures.expectError(.failed) { try await connector.test() }
            #expect(error?.message.contains("Invalid table u_accounts") == true)
            let plain = try CloudFixtures.serviceNow(instance)
            let before = instance.records.count
            await CloudFixtures.expectError(.configuration) { _ = try await plain.get(uid: "alice^ORactive=true") }
            #expect(instance.records.count == before)
        }
    }
}
