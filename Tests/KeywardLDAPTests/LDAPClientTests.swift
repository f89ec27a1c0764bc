import Foundation
import KeywardCore
import KeywardLDAP
import KeywardTestSupport
import Testing

/// The libldap client against a real slapd: TLS set-up, binds, the
/// cleartext refusal, ppolicy decoding, timeouts.
@Suite("LDAP client against slapd", .offThePool, .slapd)
struct LDAPClientTests {
    var server: SlapdServer { SlapdServer.current! }

    /// The LDAP error `body` throws (an issue when it throws none).
    func resultError(_ body: () async throws(LDAPResultError) -> Void) async -> LDAPResultError? {
        do {
            try await body()
            Issue.record("expected an LDAP error")
            return nil
        } catch {
            return error
        }
    }

    @Test func bindsOverLDAPSAndReadsTheRootDSE() async throws {
        let connection = try await LDAPConnection.connect(to: server.ldapsEndpoint, authentication: SlapdServer.admin)
        #expect(connection.isEncrypted)
        let root = try await connection.search(
            base: "", scope: .base, filter: "(objectClass=*)", attributes: ["namingContexts"])
        #expect(root.first?.first("namingContexts") == SlapdServer.base)
    }

    @Test func startTLSEncryptsAPlainConnection() async throws {
        let connection = try await LDAPConnection.connect(
            to: server.startTLSEndpoint, authentication: SlapdServer.admin)
        #expect(connection.isEncrypted)
        let log = String(decoding: server.logBytes(), as: UTF8.self)
        #expect(log.contains("EXT oid=1.3.6.1.4.1.1466.20037"))
    }

    @Test func aSimpleBindOverPlainLDAPIsRefusedBeforeConnecting() async throws {
        // Nothing listens on this port: the refusal (13) comes before any connect (-1).
        let nowhere = LDAPEndpoint(url: "ldap://127.0.0.1:\(try FreePort.next())", timeoutSeconds: 2)
        let error = await resultError { () throws(LDAPResultError) in
            _ = try await LDAPConnection.connect(to: nowhere, authentication: SlapdServer.admin)
        }
        #expect(error?.code == 13)
        #expect(error?.diagnostic.contains("not encrypted") == true)

        // Against the real server, slapd never hears of the refused DN.
        let marker = "cn=refused-\(UUID().uuidString),\(SlapdServer.base)"
        let plain = LDAPEndpoint(url: server.ldapURL, timeoutSeconds: 2)
        let refused = await resultError { () throws(LDAPResultError) in
            _ = try await LDAPConnection.connect(
                to: plain, authentication: .simple(bindDN: marker, password: GuardedString("Some#Pass-1")))
        }
        #expect(refused?.code == 13)
        #expect(!String(decoding: server.logBytes(), as: UTF8.self).contains(marker))
    }

    @Test func anUntrustedCertificateFailsAndTLSVerifyFalseConnects() async throws {
        let other = server.directory + "/client-other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try SlapdServer.makeCertificate(in: other, name: "cert")
        var endpoint = server.ldapsEndpoint
        endpoint.caCertificate = other + "/cert.pem"
        let error = await resultError { () throws(LDAPResultError) in
            _ = try await LDAPConnection.connect(to: endpoint, authentication: SlapdServer.admin)
        }
        #expect(error?.code == -1)

        var startTLS = server.startTLSEndpoint
        startTLS.caCertificate = other + "/cert.pem"
        let startTLSError = await resultError { () throws(LDAPResultError) in
            _ = try await LDAPConnection.connect(to: startTLS, authentication: SlapdServer.admin)
        }
        #expect(startTLSError?.code == -11)

        endpoint.tlsVerify = false
        let connection = try await LDAPConnection.connect(to: endpoint, authentication: SlapdServer.admin)
        #expect(connection.isEncrypted)
    }

    @Test func theHostNameIsChecked() async throws {
        // The certificate names 127.0.0.1 and localhost, not 127.0.0.2, where slapd listens too.
        var endpoint = server.ldapsEndpoint
        endpoint.url = server.misnamedURL
        let error = await resultError { () throws(LDAPResultError) in
            _ = try await LDAPConnection.connect(to: endpoint, authentication: SlapdServer.admin)
        }
        #expect(error?.code == -1)
        endpoint.tlsVerify = false
        #expect(try await LDAPConnection.connect(to: endpoint, authentication: SlapdServer.admin).isEncrypted)
    }

    @Test func theBindResultCarriesThePasswordPolicyError() async throws {
        let uid = "client-lock-\(UUID().uuidString.prefix(6))"
        let dn = SlapdServer.personDN(uid)
        try await server.addPerson(uid, password: "Right#Pass-1")
        for _ in 1...3 { #expect(await server.bindResult(dn, "Wrong#Pass-1") == 49) }
        let locked = await resultError { () throws(LDAPResultError) in
            _ = try await LDAPConnection.connect(
                to: server.ldapsEndpoint, authentication: .simple(bindDN: dn, password: GuardedString("Right#Pass-1")))
        }
        #expect(locked?.code == 49)
        #expect(locked?.policyError == .accountLocked)
        #expect(locked?.context == "bind as \(dn)")
    }

    @Test func passwordModifyResultsCarryThePolicyError() async throws {
        let uid = "client-pm-\(UUID().uuidString.prefix(6))"
        let dn = SlapdServer.personDN(uid)
        try await server.addPerson(uid, password: "Right#Pass-1")
        let admin = try await LDAPConnection.connect(to: server.ldapsEndpoint, authentication: SlapdServer.admin)
        let short = await resultError { () throws(LDAPResultError) in
            try await admin.passwordModify(dn: dn, old: nil, new: GuardedString("Ab#1"))
        }
        #expect(short?.code == 19)
        #expect(short?.policyError == .passwordTooShort)

        let person = try await LDAPConnection.connect(
            to: server.ldapsEndpoint, authentication: .simple(bindDN: dn, password: GuardedString("Right#Pass-1")))
        let wrongOld = await resultError { () throws(LDAPResultError) in
            try await person.passwordModify(
                dn: dn, old: GuardedString("Wrong#Pass-1"), new: GuardedString("Next#Pass-22"))
        }
        #expect(wrongOld?.code == 53)

        let missing = await resultError { () throws(LDAPResultError) in
            try await admin.passwordModify(
                dn: SlapdServer.personDN("nobody-\(uid)"), old: nil, new: GuardedString("Next#Pass-22"))
        }
        #expect(missing?.code == 32)
    }

    @Test func modifyAddAndDeleteCarrySecretsAndValues() async throws {
        let uid = "client-mod-\(UUID().uuidString.prefix(6))"
        let dn = SlapdServer.personDN(uid)
        let admin = try await LDAPConnection.connect(to: server.ldapsEndpoint, authentication: SlapdServer.admin)
        try await admin.add(
            dn: dn,
            attributes: [
                ("objectClass", [.text("inetOrgPerson")]), ("uid", [.text(uid)]), ("cn", [.text("A"), .text("B")]),
                ("sn", [.text("Example")]), ("userPassword", [.secret(GuardedString("Added#Pass-1"))]),
            ])
        #expect(await server.bindResult(dn, "Added#Pass-1") == 0)
        try await admin.modify(
            dn: dn,
            [
                LDAPModification(.replace, "userPassword", [.secret(GuardedString("Modified#Pass-2"))]),
                LDAPModification(.delete, "cn", [.text("B")]),
                LDAPModification(.add, "mail", [.bytes(Array("m@x.org".utf8))]),
            ])
        #expect(await server.bindResult(dn, "Modified#Pass-2") == 0)
        let entry = try #require(try await server.read(dn, ["cn", "mail"]))
        #expect(entry.attributes["cn"] == ["A"])
        #expect(entry.first("MAIL") == "m@x.org")
        try await admin.delete(dn: dn)
        #expect(
            try await admin.search(base: SlapdServer.people, scope: .one, filter: "(uid=\(uid))", attributes: ["uid"])
                .isEmpty)
    }

    @Test func aServerThatDoesNotAnswerTimesOut() async throws {
        let silent = try SilentListener()
        let endpoint = LDAPEndpoint(url: "ldap://127.0.0.1:\(silent.port)", startTLS: true, timeoutSeconds: 1)
        // Without the timeout this call would never return (the listener
        // never answers); with it, it ends with a connect or timeout error.
        let error = await resultError { () throws(LDAPResultError) in
            _ = try await LDAPConnection.connect(to: endpoint, authentication: SlapdServer.admin)
        }
        #expect([-1, -5, -11].contains(error?.code ?? 0))
    }
}

/// A TCP port that accepts connections into its backlog and never answers.
final class SilentListener {
    let socket: Int32
    let port: Int

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, length) == 0 && listen(socket, 8) == 0
                    && getsockname(socket, address, &length) == 0
            }
        }
        guard listening else { throw SlapdError("could not listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socket) }
}
