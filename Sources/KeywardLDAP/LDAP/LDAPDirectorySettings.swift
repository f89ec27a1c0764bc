import Foundation
public import KeywardConnectors
public import KeywardCore

/// The settings of an `ldap` system, read from its definition's
/// `connection` block and checked.
///
/// Keyward binds over an encrypted connection only: `ldaps://`, `ldap://`
/// with `startTLS: true`, or `authentication: gssapi` (a sealing SASL
/// layer). Anything else would send passwords in the clear and is refused.
public struct LDAPDirectorySettings: Sendable {
    /// How a reset (and a first password) is sent.
    public enum PasswordReset: String, Sendable {
        /// The Password Modify extended operation (RFC 3062): the server
        /// hashes the password and applies its policy. The default.
        case passwordModify
        /// A `replace` of `userPassword` (on create, `userPassword` in the
        /// add). The server stores what it gets unless it hashes cleartext
        /// (`olcPPolicyHashCleartext`), so a script should hash it first.
        case userPassword
    }

    /// Where to connect and how to check the server.
    public let endpoint: LDAPEndpoint
    /// How Keyward binds.
    public let authentication: LDAPAuthentication
    /// The entry accounts live under: an account's DN is `<uidAttribute>=<uid>,<baseDN>`.
    public let baseDN: String
    /// The attribute that names an account in its DN.
    public let uidAttribute: String
    /// How a password is set without the current one.
    public let passwordReset: PasswordReset
    /// Things that work but should change, one sentence each.
    public let warnings: [String]

    /// Reads and checks the settings of `definition`.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system, the
    ///   key and the definition's location.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)
        let system = "system '\(definition.name)'"

        guard let url = try reader.plain("url") else { throw reader.error("url", "is required: ldaps://host:636") }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("ldaps://") || lowered.hasPrefix("ldap://") else {
            throw reader.error("url", "must start with ldaps:// or ldap://, not '\(url)'")
        }
        let startTLS = try reader.boolean("startTLS") ?? false
        if startTLS && lowered.hasPrefix("ldaps://") {
            throw reader.error("startTLS", "applies to ldap:// URLs only; ldaps:// is already TLS")
        }
        let tlsVerify = try reader.boolean("tlsVerify") ?? true
        let caCertificate = try reader.plain("caCertificate").map(environment.path)
        if let caCertificate, !FileManager.default.isReadableFile(atPath: caCertificate) {
            throw reader.error("caCertificate", "names \(caCertificate), which cannot be read")
        }
        let timeoutSeconds = try reader.integer("timeoutSeconds", in: 1...3600) ?? 30
        endpoint = LDAPEndpoint(
            url: url, startTLS: startTLS, caCertificate: caCertificate, tlsVerify: tlsVerify,
            timeoutSeconds: timeoutSeconds)

        switch try reader.plain("authentication") ?? "simple" {
        case "simple":
            guard let bindDN = try reader.plain("bindDN") else {
                throw reader.error("bindDN", "is required with simple authentication")
            }
            let password: GuardedString?
            do {
                password = try environment.secret("bindPassword")
            } catch {
                throw reader.error("bindPassword", "cannot be read: \(error)")
            }
            guard let password else {
                throw reader.error(
                    "bindPassword", "is required with simple authentication: ${env:NAME} or ${file:PATH}")
            }
            authentication = .simple(bindDN: bindDN, password: password)
        case "gssapi":
            let keytab = try reader.plain("keytab").map(environment.path)
            let credentialCache = try reader.plain("credentialCache")
            guard keytab != nil || credentialCache != nil else {
                throw reader.error("keytab", "or credentialCache is required with gssapi authentication")
            }
            if let keytab, !FileManager.default.isReadableFile(atPath: keytab) {
                throw reader.error("keytab", "names \(keytab), which cannot be read")
            }
            authentication = .gssapi(
                principal: try reader.plain("principal"), keytab: keytab, credentialCache: credentialCache)
        case let other:
            throw reader.error("authentication", "must be simple or gssapi, not '\(other)'")
        }

        var isGSSAPI = false
        if case .gssapi = authentication { isGSSAPI = true }
        guard lowered.hasPrefix("ldaps://") || startTLS || isGSSAPI else {
            throw reader.error(
                "url",
                "is plain ldap:// without startTLS, which would send passwords in the clear; "
                    + "use ldaps:// or startTLS: true")
        }

        guard let baseDN = try reader.plain("baseDN"), !baseDN.isEmpty else {
            throw reader.error("baseDN", "is required: the entry accounts live under, e.g. ou=people,dc=example,dc=com")
        }
        self.baseDN = baseDN
        uidAttribute = try reader.plain("uidAttribute") ?? definition.uidAttribute?.name ?? "uid"
        guard uidAttribute.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }), !uidAttribute.isEmpty
        else {
            throw reader.error("uidAttribute", "must be an attribute name, not '\(uidAttribute)'")
        }
        guard let reset = PasswordReset(rawValue: try reader.plain("passwordReset") ?? "passwordModify") else {
            throw reader.error("passwordReset", "must be passwordModify or userPassword")
        }
        passwordReset = reset

        var warnings: [String] = []
        if !tlsVerify {
            warnings.append(
                "\(system): tlsVerify is false, so Keyward does not check the server's certificate or host name "
                    + "and anyone on the network path can read the passwords it sends; set caCertificate instead")
        }
        if reset == .userPassword {
            warnings.append(
                "\(system): passwordReset userPassword stores the password as sent unless the server hashes "
                    + "cleartext (olcPPolicyHashCleartext); prefer passwordModify")
        }
        self.warnings = warnings
    }
}
