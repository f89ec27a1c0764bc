import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardLDAP
import KeywardTestSupport
import Testing

/// The `ldap` connector against a real slapd with ppolicy. Every password
/// operation is proven the way a login would see it: a bind as the person
/// with the new password succeeds, one with the old password fails (49).
@Suite("ldap connector against slapd", .offThePool, .slapd)
struct LDAPConnectorTests {
    typealias Fixture = LDAPConnectorFixture
    var server: SlapdServer { SlapdServer.current! }

    @Test func createsAnAccountThePersonCanBindTo() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("create")
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())

        #expect(await server.bindResult(SlapdServer.personDN(uid), "First#Pass-1") == 0)
        #expect(await server.bindResult(SlapdServer.personDN(uid), "Other#Pass-1") == 49)
        let account = try await connector.get(uid: uid)
        #expect(account.attributes["mail"] == "\(uid)@example.org")
        #expect(account.attributes["uid"] == uid)
        #expect(account.attributes.keys.allSatisfy { $0.lowercased() != "userpassword" })
        #expect(account.locked == false)
        let stored = try await server.read(SlapdServer.personDN(uid), ["userPassword"])
        #expect(stored?.first("userPassword")?.hasPrefix("{SSHA}") == true)
    }

    @Test func aSecondCreateIsAlreadyExists() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("twice")
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        let error = await Fixture.expectError(.alreadyExists) {
            try await connector.create(
                uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        }
        #expect(error?.message.contains("LDAP 68") == true)
        #expect(error?.message.contains(SlapdServer.personDN(uid)) == true)
    }

    @Test func aRefusedFirstPasswordLeavesNoAccount() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("short")
        let error = await Fixture.expectError(.policyRejected) {
            try await connector.create(
                uid: uid, attributes: Fixture.person(uid, password: "Sh0rt!"), options: PasswordOptions())
        }
        #expect(error?.message.contains("too short") == true)
        #expect(error?.message.contains("deleted again") == true)
        await Fixture.expectError(.notFound) { _ = try await connector.get(uid: uid) }
    }

    @Test func aResetWithMustChangeWorksAndForcesAChange() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("reset")
        let dn = SlapdServer.personDN(uid)
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"),
            options: PasswordOptions(mustChange: false))
        #expect(try await connector.get(uid: uid).mustChange == false)

        try await connector.update(
            uid: uid, attributes: [Fixture.password("Reset#Pass-2")], options: PasswordOptions(mustChange: true))
        #expect(await server.bindResult(dn, "Reset#Pass-2") == 0)
        #expect(await server.bindResult(dn, "First#Pass-1") == 49)
        #expect(try await connector.get(uid: uid).mustChange == true)
        #expect(try await server.read(dn, ["pwdReset"])?.first("pwdReset") == "TRUE")

        // The person can bind, but may do nothing but change the password (50).
        let person = try await LDAPConnection.connect(
            to: server.ldapsEndpoint, authentication: .simple(bindDN: dn, password: GuardedString("Reset#Pass-2")))
        do {
            _ = try await person.search(base: dn, scope: .base, filter: "(objectClass=*)", attributes: ["cn"])
            Issue.record("a search before the change should be refused")
        } catch {
            #expect(error.code == 50)
        }

        try await connector.update(
            uid: uid, attributes: [Fixture.password("Reset#Pass-3")], options: PasswordOptions(mustChange: false))
        #expect(try await connector.get(uid: uid).mustChange == false)
        #expect(await server.bindResult(dn, "Reset#Pass-3") == 0)
    }

    @Test func aChangeIsMadeAsThePerson() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("change")
        let dn = SlapdServer.personDN(uid)
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"),
            options: PasswordOptions(mustChange: true))

        try await connector.changePassword(
            uid: uid, current: GuardedString("First#Pass-1"), attributes: [Fixture.password("Mine#Pass-22")])
        #expect(await server.bindResult(dn, "Mine#Pass-22") == 0)
        #expect(await server.bindResult(dn, "First#Pass-1") == 49)
        #expect(try await connector.get(uid: uid).mustChange == false)
        let log = String(decoding: server.logBytes(), as: UTF8.self)
        #expect(log.contains("BIND dn=\"\(dn)\" mech=SIMPLE"))

        // A retry after the change was made (a crash before it was recorded) succeeds.
        try await connector.changePassword(
            uid: uid, current: GuardedString("First#Pass-1"), attributes: [Fixture.password("Mine#Pass-22")])
        #expect(await server.bindResult(dn, "Mine#Pass-22") == 0)

        let wrong = await Fixture.expectError(.credentialsRejected) {
            try await connector.changePassword(
                uid: uid, current: GuardedString("Wrong#Pass-1"), attributes: [Fixture.password("Mine#Pass-33")])
        }
        #expect(wrong?.message.contains("current password is not correct") == true)
        #expect(await server.bindResult(dn, "Mine#Pass-22") == 0)
    }

    @Test func aChangeToAPasswordInHistoryIsRefused() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("history")
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        try await connector.changePassword(
            uid: uid, current: GuardedString("First#Pass-1"), attributes: [Fixture.password("Second#Pass-2")])
        let error = await Fixture.expectError(.policyRejected) {
            try await connector.changePassword(
                uid: uid, current: GuardedString("Second#Pass-2"), attributes: [Fixture.password("First#Pass-1")])
        }
        #expect(error?.message.contains("history") == true)
        #expect(await server.bindResult(SlapdServer.personDN(uid), "Second#Pass-2") == 0)
    }

    @Test func aTooShortResetIsRefused() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("tooshort")
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        let reset = await Fixture.expectError(.policyRejected) {
            try await connector.update(
                uid: uid, attributes: [Fixture.password("Ab#1")], options: PasswordOptions(mustChange: true))
        }
        #expect(reset?.message.contains("too short") == true)
        #expect(reset?.message.contains("LDAP 19") == true)
        let change = await Fixture.expectError(.policyRejected) {
            try await connector.changePassword(
                uid: uid, current: GuardedString("First#Pass-1"), attributes: [Fixture.password("Ab#1")])
        }
        #expect(change?.message.contains("too short") == true)
        #expect(await server.bindResult(SlapdServer.personDN(uid), "First#Pass-1") == 0)
    }

    @Test func threeFailedBindsLockTheAccountAndUnlockFreesIt() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("lock")
        let dn = SlapdServer.personDN(uid)
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        try await connector.unlock(uid: uid)

        for _ in 1...3 { #expect(await server.bindResult(dn, "Wrong#Pass-1") == 49) }
        #expect(await server.bindResult(dn, "First#Pass-1") == 49)
        #expect(try await connector.get(uid: uid).locked == true)
        let locked = await Fixture.expectError(.credentialsRejected) {
            try await connector.changePassword(
                uid: uid, current: GuardedString("First#Pass-1"), attributes: [Fixture.password("Next#Pass-22")])
        }
        #expect(locked?.message.contains("locked") == true)

        try await connector.unlock(uid: uid)
        #expect(try await connector.get(uid: uid).locked == false)
        #expect(await server.bindResult(dn, "First#Pass-1") == 0)
        try await connector.unlock(uid: uid)
    }

    @Test func anUnknownAccountIsNotFound() async throws {
        let connector = try Fixture.connector(server)
        let ghost = Fixture.unique("ghost")
        let password = [Fixture.password("Ghost#Pass-1")]
        for error in [
            await Fixture.expectError(.notFound) { _ = try await connector.get(uid: ghost) },
            await Fixture.expectError(.notFound) {
                try await connector.update(uid: ghost, attributes: password, options: PasswordOptions())
            },
            await Fixture.expectError(.notFound) {
                try await connector.update(
                    uid: ghost, attributes: [ConnectorAttribute(name: "mail", value: .plain("x@y"))],
                    options: PasswordOptions())
            },
            await Fixture.expectError(.notFound) {
                try await connector.changePassword(
                    uid: ghost, current: GuardedString("Ghost#Pass-0"), attributes: password)
            },
            await Fixture.expectError(.notFound) { try await connector.unlock(uid: ghost) },
            await Fixture.expectError(.notFound) { try await connector.delete(uid: ghost) },
        ] {
            #expect(error?.message.contains(SlapdServer.personDN(ghost)) == true)
        }
    }

    @Test func updatesAndDeletesAttributesAndAccounts() async throws {
        let connector = try Fixture.connector(server)
        let uid = Fixture.unique("update")
        try await connector.create(uid: uid, attributes: Fixture.person(uid, password: nil), options: PasswordOptions())
        try await connector.update(
            uid: uid, attributes: [ConnectorAttribute(name: "mail", value: .plain("new@example.org"))],
            options: PasswordOptions())
        #expect(try await connector.get(uid: uid).attributes["mail"] == "new@example.org")
        try await connector.update(
            uid: uid, attributes: [ConnectorAttribute(name: "mail", value: nil)], options: PasswordOptions())
        #expect(try await connector.get(uid: uid).attributes["mail"] == nil)
        try await connector.delete(uid: uid)
        await Fixture.expectError(.notFound) { _ = try await connector.get(uid: uid) }
    }

    @Test func aUIDWithSpecialCharactersIsEscapedInTheDN() async throws {
        let connector = try Fixture.connector(server)
        let uid = "o'brien, jr+" + Fixture.unique("x")
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        #expect(connector.dn(of: uid).hasPrefix("uid=o'brien\\, jr\\+"))
        #expect(try await connector.get(uid: uid).attributes["uid"] == uid)
        #expect(await server.bindResult(connector.dn(of: uid), "First#Pass-1") == 0)
    }

    @Test func theSchemaComesFromTheSubschemaEntry() async throws {
        let schema = try await Fixture.connector(server).schema()
        let byName = Dictionary(uniqueKeysWithValues: schema.map { ($0.name, $0) })
        #expect(byName[AttributeSchema.passwordName] == .password)
        #expect(byName["uid"]?.required == true)
        #expect(byName["uid"]?.updatable == false)
        #expect(byName["cn"]?.required == true)
        #expect(byName["sn"]?.required == true)
        #expect(byName["mail"]?.required == false)
        #expect(byName["mail"]?.multivalued == true)
        #expect(byName["mail"]?.type == .string)
        #expect(byName["objectClass"]?.multivalued == true)
    }

    @Test func testChecksTheBindAndTheBaseDN() async throws {
        try await Fixture.connector(server).test()
        let wrongPassword = await Fixture.expectError(.credentialsRejected) {
            try await Fixture.connector(server, bindPassword: "Not#The-Password").test()
        }
        #expect(wrongPassword?.message.contains("LDAP 49") == true)
        #expect(wrongPassword?.message.contains(SlapdServer.adminDN) == true)
        await Fixture.expectError(.configuration) {
            try await Fixture.connector(server, ["baseDN": .plain("ou=nowhere,dc=example,dc=org")]).test()
        }
    }

    @Test func startTLSWorks() async throws {
        let connector = try Fixture.connector(server, ["url": .plain(server.ldapURL), "startTLS": .plain("true")])
        try await connector.test()
        let uid = Fixture.unique("starttls")
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        #expect(await server.bindResult(SlapdServer.personDN(uid), "First#Pass-1") == 0)
    }

    @Test func userPasswordResetsAreHashedByTheServer() async throws {
        let connector = try Fixture.connector(server, ["passwordReset": .plain("userPassword")])
        #expect(connector.warnings.contains { $0.contains("passwordReset userPassword") })
        let uid = Fixture.unique("userpw")
        let dn = SlapdServer.personDN(uid)
        try await connector.create(
            uid: uid, attributes: Fixture.person(uid, password: "First#Pass-1"), options: PasswordOptions())
        #expect(await server.bindResult(dn, "First#Pass-1") == 0)
        try await connector.update(
            uid: uid, attributes: [Fixture.password("Reset#Pass-2")], options: PasswordOptions(mustChange: true))
        #expect(await server.bindResult(dn, "Reset#Pass-2") == 0)
        #expect(await server.bindResult(dn, "First#Pass-1") == 49)
        #expect(try await connector.get(uid: uid).mustChange == true)
        #expect(try await server.read(dn, ["userPassword"])?.first("userPassword")?.hasPrefix("{SSHA}") == true)
        let short = await Fixture.expectError(.policyRejected) {
            try await connector.update(uid: uid, attributes: [Fixture.password("Ab#1")], options: PasswordOptions())
        }
        #expect(short?.message.contains("too short") == true)
    }

    @Test func anUntrustedCertificateIsUnreachableUnlessVerificationIsOff() async throws {
        let other = server.directory + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try SlapdServer.makeCertificate(in: other, name: "cert")
        let untrusted = try Fixture.connector(server, ["caCertificate": .plain(other + "/cert.pem")])
        let error = await Fixture.expectError(.unreachable) { try await untrusted.test() }
        #expect(error?.isTransient == true)

        let unverified = try Fixture.connector(
            server, ["caCertificate": .plain(other + "/cert.pem"), "tlsVerify": .plain("false")])
        #expect(unverified.warnings.contains { $0.contains("tlsVerify is false") })
        try await unverified.test()
    }
}
