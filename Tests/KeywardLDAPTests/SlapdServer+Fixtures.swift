import KeywardCore
import KeywardLDAP

extension SlapdServer {
    /// LDAPS to this server, trusting its certificate.
    var ldapsEndpoint: LDAPEndpoint {
        LDAPEndpoint(url: ldapsURL, caCertificate: certificatePath, timeoutSeconds: 5)
    }

    /// Plain LDAP upgraded with StartTLS, trusting the certificate.
    var startTLSEndpoint: LDAPEndpoint {
        LDAPEndpoint(url: ldapURL, startTLS: true, caCertificate: certificatePath, timeoutSeconds: 5)
    }

    /// Keyward's service account.
    static var admin: LDAPAuthentication {
        .simple(bindDN: adminDN, password: GuardedString(adminPassword))
    }

    /// The rootdn, beyond ppolicy: for arranging fixtures.
    static var root: LDAPAuthentication {
        .simple(bindDN: rootDN, password: GuardedString(rootPassword))
    }

    /// A connection as the rootdn.
    func rootConnection() async throws -> LDAPConnection {
        try await LDAPConnection.connect(to: ldapsEndpoint, authentication: Self.root)
    }

    /// Adds `uid=<uid>,ou=people,…` as the rootdn, with `password` when given.
    func addPerson(_ uid: String, password: String? = nil) async throws {
        var attributes: [(String, [LDAPValue])] = [
            ("objectClass", [.text("inetOrgPerson")]), ("uid", [.text(uid)]), ("cn", [.text(uid)]),
            ("sn", [.text("Example")]),
        ]
        if let password { attributes.append(("userPassword", [.secret(GuardedString(password))])) }
        try await rootConnection().add(dn: Self.personDN(uid), attributes: attributes)
    }

    /// The LDAP result of a simple bind as `dn` with `password` over LDAPS: 0 when it succeeds.
    func bindResult(_ dn: String, _ password: String) async -> Int32 {
        do {
            _ = try await LDAPConnection.connect(
                to: ldapsEndpoint, authentication: .simple(bindDN: dn, password: GuardedString(password)))
            return 0
        } catch {
            return error.code
        }
    }

    /// The attributes of `dn` as the rootdn sees them (operational ones by name).
    func read(_ dn: String, _ attributes: [String]) async throws -> LDAPEntry? {
        try await rootConnection().search(base: dn, scope: .base, filter: "(objectClass=*)", attributes: attributes)
            .first
    }
}
