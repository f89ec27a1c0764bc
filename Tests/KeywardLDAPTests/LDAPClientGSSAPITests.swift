import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardLDAP
import KeywardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// "Negotiate": SASL GSSAPI binds with a sealing security layer, against a
/// slapd in a throwaway MIT Kerberos realm (krb5-kdc and krb5-admin-server,
/// which `make setup` installs, are required). Serialized: a test
/// reads the process-wide Kerberos variables a concurrent bind would set.
@Suite(
    "LDAP client: GSSAPI against slapd", .offThePool, .slapdWithKerberos,
    .serialized)
struct LDAPClientGSSAPITests {
    var server: SlapdServer { SlapdServer.current! }
    var kerberos: SlapdKerberos { server.kerberos! }
    var endpoint: LDAPEndpoint { LDAPEndpoint(url: server.gssapiURL, timeoutSeconds: 5) }

    /// Whether `connection` may write under `ou=people`, which only
    /// Keyward's service account may: adds an entry and deletes it.
    func writesAsKeyward(_ connection: LDAPConnection) async throws -> Bool {
        let uid = "gssapi-probe-\(UUID().uuidString.prefix(6))"
        let dn = SlapdServer.personDN(uid)
        try await connection.add(
            dn: dn,
            attributes: [
                ("objectClass", [.text("inetOrgPerson")]), ("uid", [.text(uid)]), ("cn", [.text("probe")]),
                ("sn", [.text("probe")]),
            ])
        try await connection.delete(dn: dn)
        return true
    }

    @Test func aKeytabBindIsSealedAndMapsToKeywardsAccount() async throws {
        let before = getenv("KRB5CCNAME").map { String(cString: $0) }
        let connection = try await LDAPConnection.connect(
            to: endpoint,
            authentication: .gssapi(
                principal: SlapdKerberos.principal, keytab: kerberos.keywardKeytab, credentialCache: nil))
        #expect(connection.isEncrypted)
        #expect(getenv("KRB5CCNAME").map { String(cString: $0) } == before)
        #expect(try await writesAsKeyward(connection))
        let log = String(decoding: server.logBytes(), as: UTF8.self)
        #expect(log.contains("mech=GSSAPI bind_ssf=256 ssf=256"))
        #expect(log.contains("dn=\"\(SlapdServer.adminDN)\" mech=GSSAPI"))
    }

    @Test func aCredentialCacheBindWorks() async throws {
        let cache = try kerberos.credentialCache()
        let connection = try await LDAPConnection.connect(
            to: endpoint, authentication: .gssapi(principal: nil, keytab: nil, credentialCache: cache))
        #expect(connection.isEncrypted)
        #expect(try await writesAsKeyward(connection))
    }

    @Test func aKeytabWithoutThePrincipalsKeysFails() async throws {
        let empty = server.directory + "/empty.keytab"
        try Data().write(to: URL(fileURLWithPath: empty))
        do {
            _ = try await LDAPConnection.connect(
                to: endpoint, authentication: .gssapi(principal: nil, keytab: empty, credentialCache: nil))
            Issue.record("expected the GSSAPI bind to fail")
        } catch {
            #expect(error.code != 0)
            #expect(error.context.contains("SASL GSSAPI bind"))
        }
    }

    @Test func theConnectorResetsOverASealedPlainConnection() async throws {
        let connector = try LDAPConnectorFixture.connector(
            server,
            [
                "url": .plain(server.gssapiURL), "authentication": .plain("gssapi"),
                "keytab": .plain(kerberos.keywardKeytab), "principal": .plain(SlapdKerberos.principal),
                "bindDN": nil, "bindPassword": nil, "caCertificate": nil,
            ])
        try await connector.test()
        let uid = LDAPConnectorFixture.unique("gssapi")
        try await connector.create(
            uid: uid, attributes: LDAPConnectorFixture.person(uid, password: "First#Pass-1"), options: PasswordOptions()
        )
        try await connector.update(
            uid: uid, attributes: [LDAPConnectorFixture.password("Reset#Pass-2")],
            options: PasswordOptions(mustChange: true))
        #expect(await server.bindResult(SlapdServer.personDN(uid), "Reset#Pass-2") == 0)
        #expect(await server.bindResult(SlapdServer.personDN(uid), "First#Pass-1") == 49)
        #expect(try await connector.get(uid: uid).mustChange == true)

        // A change binds as the person with a simple bind: not over plain LDAP.
        let change = await LDAPConnectorFixture.expectError(.configuration) {
            try await connector.changePassword(
                uid: uid, current: GuardedString("Reset#Pass-2"),
                attributes: [LDAPConnectorFixture.password("Mine#Pass-33")])
        }
        #expect(change?.message.contains("ldaps://") == true)
    }
}
