import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardLDAP
import KeywardTestSupport
import Testing

/// The canary password goes through create, reset, change and their
/// failures; it must appear in no error and in no byte of slapd's log
/// (stats level, `-d 256`).
@Suite("ldap connector: canary", .offThePool, .slapd)
struct LDAPConnectorCanaryTests {
    typealias Fixture = LDAPConnectorFixture
    var server: SlapdServer { SlapdServer.current! }

    @Test(arguments: ["passwordModify", "userPassword"])
    func theCanaryLeavesNoTrace(passwordReset: String) async throws {
        let connector = try Fixture.connector(server, ["passwordReset": .plain(passwordReset)])
        let canary = Canary.password
        let uid = Fixture.unique("canary")
        let dn = SlapdServer.personDN(uid)
        var errors: [ConnectorError] = []
        func expectFailure(_ kind: ConnectorError.Kind, _ body: () async throws -> Void) async {
            if let error = await Fixture.expectError(kind, body) { errors.append(error) }
        }

        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: canary), options: PasswordOptions())
        #expect(await server.bindResult(dn, canary) == 0)
        await expectFailure(.alreadyExists) {
            try await connector.create(
                uid: uid, attributes: Fixture.person(uid, password: canary), options: PasswordOptions())
        }
        try await connector.update(
            uid: uid, attributes: [Fixture.password(canary + "-reset")], options: PasswordOptions(mustChange: true))
        #expect(await server.bindResult(dn, canary + "-reset") == 0)
        await expectFailure(.credentialsRejected) {
            try await connector.changePassword(
                uid: uid, current: GuardedString(canary + "-wrong"), attributes: [Fixture.password(canary + "-next")])
        }
        try await connector.changePassword(
            uid: uid, current: GuardedString(canary + "-reset"), attributes: [Fixture.password(canary + "-next")])
        try await connector.changePassword(
            uid: uid, current: GuardedString(canary + "-reset"), attributes: [Fixture.password(canary + "-next")])
        #expect(await server.bindResult(dn, canary + "-next") == 0)
        await expectFailure(.policyRejected) {
            try await connector.changePassword(
                uid: uid, current: GuardedString(canary + "-next"), attributes: [Fixture.password(canary)])
        }
        let ghost = Fixture.unique("ghost")
        await expectFailure(.notFound) {
            try await connector.update(uid: ghost, attributes: [Fixture.password(canary)], options: PasswordOptions())
        }
        await expectFailure(.notFound) {
            try await connector.changePassword(
                uid: ghost, current: GuardedString(canary), attributes: [Fixture.password(canary + "-next")])
        }
        for _ in 1...3 { #expect(await server.bindResult(dn, canary + "-bad") == 49) }
        await expectFailure(.credentialsRejected) {
            try await connector.changePassword(
                uid: uid, current: GuardedString(canary + "-next"), attributes: [Fixture.password(canary + "-later")])
        }
        try await connector.unlock(uid: uid)
        let wrongBind = try Fixture.connector(server, ["passwordReset": .plain(passwordReset)], bindPassword: canary)
        await expectFailure(.credentialsRejected) { try await wrongBind.test() }

        #expect(errors.count == 7)
        for error in errors {
            for text in [error.message, String(describing: error), String(reflecting: error)] {
                #expect(!text.contains(canary), "\(text)")
            }
        }
        let log = server.logBytes()
        #expect(!log.isEmpty)
        #expect(log.firstRange(of: Array(canary.utf8)) == nil, "the canary is in slapd's log")
        #expect(String(decoding: log, as: UTF8.self).contains("BIND dn=\"\(dn)\""))
    }
}
