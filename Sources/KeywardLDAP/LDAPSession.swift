public import KeywardCore

/// How Keyward authenticates to a directory: the two modes the seeds require.
public enum LDAPAuthentication: Sendable, Equatable {
    /// "Basic with SSL": a simple bind with a DN (or UPN) and password over
    /// LDAPS or StartTLS.
    case simple(bindDN: String, password: GuardedString)
    /// "Negotiate": SASL GSSAPI (Kerberos) with sealing, credentials from a
    /// keytab (and principal) or an existing credential cache.
    case gssapi(principal: String?, keytab: String?, credentialCache: String?)

    public static func == (lhs: LDAPAuthentication, rhs: LDAPAuthentication) -> Bool {
        switch (lhs, rhs) {
        case let (.simple(a, p), .simple(b, q)): a == b && p == q
        case let (.gssapi(a, b, c), .gssapi(d, e, f)): a == d && b == e && c == f
        default: false
        }
    }
}

/// Where and how to connect.
public struct LDAPEndpoint: Sendable, Equatable {
    /// `ldaps://host:636` or `ldap://host:389`.
    public var url: String
    /// Upgrade `ldap://` with StartTLS before binding.
    public var startTLS: Bool
    /// A PEM file with the CA that signed the server's certificate; nil: the system's CAs.
    public var caCertificate: String?
    /// Verify the certificate and the host name (on by default; `tlsVerify: false` for labs only).
    public var tlsVerify: Bool
    /// Network and operation timeout, in seconds.
    public var timeoutSeconds: Int

    public init(url: String, startTLS: Bool = false, caCertificate: String? = nil, tlsVerify: Bool = true, timeoutSeconds: Int = 30) {
        self.url = url
        self.startTLS = startTLS
        self.caCertificate = caCertificate
        self.tlsVerify = tlsVerify
        self.timeoutSeconds = timeoutSeconds
    }
}

/// One value of an attribute: text, bytes, or a secret (a password, sent as
/// its bytes and wiped after the request).
public enum LDAPValue: Sendable {
    case text(String)
    case bytes([UInt8])
    case secret(GuardedString)
}

/// One change of a modify request.
public struct LDAPModification: Sendable {
    public enum Operation: Sendable { case add, delete, replace }
    public var operation: Operation
    public var attribute: String
    /// The values; empty with `replace` or `delete` removes every value.
    public var values: [LDAPValue]

    public init(_ operation: Operation, _ attribute: String, _ values: [LDAPValue] = []) {
        self.operation = operation
        self.attribute = attribute
        self.values = values
    }
}

/// An entry read by a search. Values are text (binary values as their bytes' UTF-8 decoding is not attempted: see `binary`).
public struct LDAPEntry: Sendable, Equatable {
    public var dn: String
    public var attributes: [String: [String]]

    public init(dn: String, attributes: [String: [String]]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// The first value of `name` (attribute names compare case-insensitively).
    public func first(_ name: String) -> String? {
        attributes.first { $0.key.lowercased() == name.lowercased() }?.value.first
    }
}

/// The password policy response control (draft-behera-ldap-password-policy), decoded.
public enum PasswordPolicyError: Int, Sendable, Equatable {
    case passwordExpired = 0, accountLocked, changeAfterReset, passwordModNotAllowed, mustSupplyOldPassword,
        insufficientPasswordQuality, passwordTooShort, passwordTooYoung, passwordInHistory
}

/// A result other than success, from the server or from libldap.
public struct LDAPResultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The LDAP result code (49 invalidCredentials, 19 constraintViolation, …) or a negative libldap code (-1 server down, -11 connect error, …).
    public var code: Int32
    /// The server's diagnostic message (AD puts `80090308: LdapErr: … data 52e` here). Never holds a password.
    public var diagnostic: String
    /// The ppolicy response control's error, when the server sent one.
    public var policyError: PasswordPolicyError?
    /// What was being done ("bind as cn=keyward,…", "modify uid=alice,…").
    public var context: String

    public init(code: Int32, diagnostic: String, policyError: PasswordPolicyError? = nil, context: String) {
        self.code = code
        self.diagnostic = diagnostic
        self.policyError = policyError
        self.context = context
    }

    public var description: String { "\(context): LDAP \(code)\(diagnostic.isEmpty ? "" : " (\(diagnostic))")" }
}

/// An authenticated, encrypted connection to a directory. Blocking libldap
/// calls run on threads outside Swift's cooperative pool. Every method sends
/// the ppolicy request control (non-critical) and decodes the response one.
public protocol LDAPSession: Sendable {
    /// Adds an entry.
    func add(dn: String, attributes: [(String, [LDAPValue])]) async throws(LDAPResultError)
    /// Modifies an entry in one request (all changes or none).
    func modify(dn: String, _ modifications: [LDAPModification]) async throws(LDAPResultError)
    /// Deletes an entry.
    func delete(dn: String) async throws(LDAPResultError)
    /// Searches; `scope` base, one or sub.
    func search(base: String, scope: LDAPScope, filter: String, attributes: [String]) async throws(LDAPResultError) -> [LDAPEntry]
    /// RFC 3062 Password Modify: `old` nil for a reset.
    func passwordModify(dn: String, old: GuardedString?, new: GuardedString) async throws(LDAPResultError)
    /// Whether the connection is encrypted (TLS, or a SASL security layer with SSF > 0).
    var isEncrypted: Bool { get }
}

public enum LDAPScope: Sendable { case base, one, sub }
