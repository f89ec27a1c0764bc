import KeywardConnectors
import KeywardCore

extension LDAPDirectoryConnector {
    /// Who a rejected bind was for: Keyward's own account, or the person
    /// whose current password is being checked.
    enum BindRole {
        case keyward, person
    }

    /// Runs `body`, turning its LDAP error into a ``ConnectorError``; a 32
    /// (no such object) means the account `uid` does not exist.
    func call<Value>(uid: String? = nil, _ body: () async throws(LDAPResultError) -> Value) async throws(ConnectorError)
        -> Value
    {
        do {
            return try await body()
        } catch {
            if let uid, error.code == 32 { throw notFound(uid, dn(of: uid)) }
            throw failure(error)
        }
    }

    func notFound(_ uid: String, _ dn: String) -> ConnectorError {
        ConnectorError(.notFound, "system '\(definition.name)' has no account '\(uid)' (\(dn), LDAP 32 noSuchObject)")
    }

    /// The connector error for an LDAP result: the kind decides what the
    /// engine does next; the message names the system, what was done (with
    /// the DN), what it means and the LDAP code with the server's words.
    /// It never holds a password: neither Keyward nor libldap puts one in
    /// an error.
    func failure(_ error: LDAPResultError, role: BindRole = .keyward) -> ConnectorError {
        let (kind, meaning) = Self.classify(error, role: role, system: definition.name)
        let name = Self.resultNames[error.code].map { " \($0)" } ?? ""
        let diagnostic = error.diagnostic.isEmpty ? "" : ": \(error.diagnostic)"
        let policy = error.policyError.map { ", ppolicy \($0)" } ?? ""
        let result = "LDAP \(error.code)\(name)\(diagnostic)\(policy)"
        return ConnectorError(kind, "system '\(definition.name)': \(error.context) failed: \(meaning) (\(result))")
    }

    /// The kind and meaning of an LDAP result.
    static func classify(_ error: LDAPResultError, role: BindRole, system: String) -> (ConnectorError.Kind, String) {
        switch error.policyError {
        case .accountLocked:
            return (.credentialsRejected, "the account is locked")
        case .passwordExpired where error.code == 49:
            return (.credentialsRejected, "the password has expired")
        case .changeAfterReset:
            return (.credentialsRejected, "the password was reset and must be changed first")
        case .passwordTooShort:
            return (.policyRejected, "the password is too short for the directory's policy")
        case .insufficientPasswordQuality:
            return (.policyRejected, "the password fails the directory's quality policy")
        case .passwordInHistory:
            return (.policyRejected, "the password is in the account's history of old passwords")
        case .passwordTooYoung:
            return (.policyRejected, "the password is too young to be changed again")
        case .mustSupplyOldPassword:
            return (.policyRejected, "the directory's policy requires the old password for this change")
        case .passwordModNotAllowed:
            return (.permissionDenied, "the directory's policy does not allow this password change")
        default:
            break
        }
        switch error.code {
        case 49:
            return role == .person
                ? (.credentialsRejected, "the current password is not correct")
                : (
                    .credentialsRejected,
                    "the directory refused the credentials (bind DN, password or Kerberos identity)"
                )
        case 53 where error.diagnostic.lowercased().contains("old password"):
            return (.credentialsRejected, "the current password is not correct")
        case 53:
            return (.permissionDenied, "the directory is unwilling to perform it")
        case 19 where error.diagnostic.lowercased().contains("history"):
            return (.policyRejected, "the password is in the account's history of old passwords")
        case 19:
            return (.policyRejected, "the directory's constraints refused the value")
        case 32:
            return (.notFound, "the entry does not exist")
        case 68:
            return (.alreadyExists, "an entry with that DN exists already")
        case 50:
            return (.permissionDenied, "Keyward's account lacks the access rights for this")
        case 13:
            return (.configuration, "the connection is not encrypted; use ldaps:// or startTLS: true")
        case 8:
            return (.configuration, "the directory requires stronger authentication (TLS or a SASL security layer)")
        case -1, -11, 51, 52:
            return (
                .unreachable,
                "the directory cannot be reached (check the URL, the server, and its certificate against caCertificate)"
            )
        case -5, 85, 3:
            return (.timedOut, "the directory did not answer in time")
        case -2, -6:
            return (
                .configuration,
                "the SASL/Kerberos set-up failed (keytab, credential cache, principal, or the server's service name)"
            )
        case 17, 18, 21, 34, 64, 65, 69:
            return (.configuration, "the mapping does not fit the directory's schema")
        case 10:
            return (
                .configuration,
                "the directory referred the request to another server; point url at the server holding baseDN"
            )
        default:
            return (.failed, "the directory refused it")
        }
    }

    /// Names of the result codes messages mention.
    static let resultNames: [Int32: String] = [
        -11: "connectError", -6: "authUnknown", -5: "timeout", -2: "localError", -1: "serverDown",
        3: "timeLimitExceeded", 4: "sizeLimitExceeded", 8: "strongerAuthRequired", 10: "referral",
        13: "confidentialityRequired", 16: "noSuchAttribute", 17: "undefinedAttributeType", 19: "constraintViolation",
        20: "attributeOrValueExists", 21: "invalidAttributeSyntax", 32: "noSuchObject", 34: "invalidDNSyntax",
        49: "invalidCredentials", 50: "insufficientAccessRights", 51: "busy", 52: "unavailable",
        53: "unwillingToPerform", 64: "namingViolation", 65: "objectClassViolation", 68: "entryAlreadyExists",
        69: "objectClassModsProhibited", 80: "other",
    ]
}
