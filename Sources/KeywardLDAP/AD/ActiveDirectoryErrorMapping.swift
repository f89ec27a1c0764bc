import KeywardConnectors

/// Turns a directory's answer into a ``ConnectorError``.
///
/// AD puts the reason in the diagnostic text: a bind's `data 52e`, a
/// modify's leading `0000052D:`. The message keeps those codes and the LDAP
/// result code, never the diagnostic text itself (a remote payload), except
/// for errors libldap raised on this side (negative codes), whose text says
/// what went wrong locally (a certificate, a Kerberos ticket).
enum ActiveDirectoryErrorMapping {
    /// `error` as a ``ConnectorError`` for `action` ("reset the password of
    /// 'alice'") on `system`.
    static func connectorError(for error: LDAPResultError, system: String, action: String) -> ConnectorError {
        let code = error.code
        let hex = leadingCode(in: error.diagnostic)
        let reference = ["LDAP \(code)", hex.map { "AD \($0)" }].compactMap(\.self).joined(separator: ", ")
        func failure(_ kind: ConnectorError.Kind, _ reason: String) -> ConnectorError {
            ConnectorError(kind, "system '\(system)': could not \(action): \(reason) (\(reference))")
        }

        switch code {
        case 49:
            let subcode = bindSubcode(in: error.diagnostic)
            let bindReference = ["LDAP 49", subcode.map { "data \($0)" }].compactMap(\.self).joined(separator: ", ")
            return ConnectorError(
                .credentialsRejected,
                "system '\(system)': could not \(action): the directory refused the bind of Keyward's service account: "
                    + "\(bindReason(subcode)) (\(bindReference))")
        case 19:
            switch hex {
            case "0000052B", "0000052C", "0000052D":
                return failure(.policyRejected, passwordPolicyReason)
            case "00000056":
                return failure(.credentialsRejected, "the current password is not correct")
            default:
                return failure(.failed, "the directory refused the change (constraint violation)")
            }
        case 53:
            if hex == "0000052D" { return failure(.policyRejected, passwordPolicyReason) }
            return failure(
                .configuration,
                "the directory is unwilling to perform it; for unicodePwd this means the connection lacks "
                    + "confidentiality or the value is not a quoted UTF-16LE password")
        case 50:
            return failure(
                .permissionDenied,
                "Keyward's service account lacks the right to do it; delegate it on the accounts' container")
        case 32:
            return failure(.notFound, "the entry does not exist")
        case 68:
            return failure(.alreadyExists, "an entry with that name exists already")
        case 8, 13:
            return failure(
                .configuration,
                "the directory requires encryption: use ldaps://, startTLS: true, or a sealed Kerberos bind")
        case 1 where hex == "00002020":
            return failure(.configuration, "the directory answered that the connection is not authenticated")
        case 10, 34, 64:
            return failure(.configuration, "the DN is not valid or not in this domain; check baseDN")
        case 17, 21, 65:
            return failure(
                .configuration, "the directory refused an attribute or its value; check the mapped attributes")
        case 3, -5:
            return failure(.timedOut, "the directory did not answer in time")
        case 51, 52:
            return failure(.unreachable, "the directory is busy or unavailable; try again later")
        case -1, -11:
            return failure(.unreachable, "cannot reach the directory\(localDetail(error))")
        case -2, -6, 7, 48:
            return failure(
                .configuration,
                "the bind failed on this side\(localDetail(error)); for Kerberos check the principal, the keytab "
                    + "or credential cache, krb5.conf and the server's ldap/ service principal name")
        case ..<0:
            return failure(.failed, "libldap failed\(localDetail(error))")
        default:
            return failure(.failed, "the directory refused it")
        }
    }

    /// Too short, not complex, in history or too young: AD does not say which.
    private static let passwordPolicyReason =
        "the password does not meet the domain's password policy (too short, not complex enough, "
        + "one of the recent passwords, or changed too recently)"

    /// What a bind's `data` subcode means.
    private static func bindReason(_ subcode: String?) -> String {
        switch subcode {
        case "52e": "wrong password or unknown account"
        case "525": "no such user"
        case "530": "logon not permitted at this time"
        case "531": "logon not permitted from this workstation"
        case "532": "the password has expired"
        case "533": "the account is disabled"
        case "568": "the account belongs to too many groups"
        case "701": "the account has expired"
        case "773": "the password must be changed at next logon"
        case "775": "the account is locked out"
        default: "invalid credentials"
        }
    }

    /// The subcode of `data 52e`-style text, lowercased, if any.
    static func bindSubcode(in diagnostic: String) -> String? {
        guard let range = diagnostic.firstRange(of: "data ") else { return nil }
        let digits = diagnostic[range.upperBound...].prefix(while: \.isHexDigit)
        guard (3...8).contains(digits.count) else { return nil }
        return digits.lowercased()
    }

    /// The leading eight hex digits of `0000052D: Constraint violation …`, uppercased.
    static func leadingCode(in diagnostic: String) -> String? {
        let digits = diagnostic.prefix(while: \.isHexDigit)
        guard digits.count == 8, diagnostic.dropFirst(8).first == ":" else { return nil }
        return digits.uppercased()
    }

    /// libldap's own text for an error raised on this side, short, after a colon.
    private static func localDetail(_ error: LDAPResultError) -> String {
        guard error.code < 0, !error.diagnostic.isEmpty else { return "" }
        let text = error.diagnostic.count > 200 ? error.diagnostic.prefix(200) + "…" : Substring(error.diagnostic)
        return ": \(text)"
    }
}
