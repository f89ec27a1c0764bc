import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Synchronization
import Testing

@testable import KeywardLDAP

/// The `ad` connector's pieces that need no directory: settings, the
/// `unicodePwd` value, filters, error mapping, the cleartext refusal.
@Suite("AD connector units", .offThePool)
struct ADConnectorUnitTests {
    // MARK: Settings

    static let basic: [String: ConnectionValue] = [
        "url": .plain("ldaps://dc1.corp.example.com"), "bindDN": .plain("svc@corp.example.com"),
        "bindPassword": .environment("AD_PW"), "baseDN": .plain("CN=Users,DC=corp,DC=example,DC=com"),
    ]

    func settings(_ connection: [String: ConnectionValue]) throws(ConnectorError) -> ActiveDirectorySettings {
        try ActiveDirectorySettings(
            definition: ADFixtures.definition(connection), environment: ADFixtures.environment(bindPassword: "pw"))
    }

    @Test func aSimpleBindOverPlainLDAPIsRefusedAtInit() throws {
        var connection = Self.basic
        connection["url"] = .plain("ldap://dc1.corp.example.com:389")
        let error = #expect(throws: ConnectorError.self) {
            try ActiveDirectoryConnector(
                definition: ADFixtures.definition(connection), environment: ADFixtures.environment(bindPassword: "pw"))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("startTLS") == true)

        connection["startTLS"] = .plain("true")
        #expect(try settings(connection).endpoint.startTLS)
    }

    @Test func kerberosMayUsePlainLDAPBecauseItSeals() throws {
        let settings = try settings([
            "url": .plain("ldap://localhost"), "authentication": .plain("gssapi"),
            "principal": .plain("svc@CORP.EXAMPLE.COM"), "keytab": .plain("svc.keytab"), "baseDN": .plain("DC=corp"),
        ])
        #expect(
            settings.authentication
                == .gssapi(principal: "svc@CORP.EXAMPLE.COM", keytab: "svc.keytab", credentialCache: nil))
    }

    @Test(
        arguments: [
            ("baseDN", nil, "is required"),
            ("bindPassword", nil, "is required"),
            ("authentication", "ntlm", "simple or gssapi"),
            ("tlsVerify", "maybe", "true or false"),
            ("timeoutSeconds", "0", "whole number"),
            ("colour", "blue", "not a setting"),
        ] as [(String, String?, String)])
    func wrongSettingsAreConfigurationErrors(key: String, value: String?, problem: String) {
        var connection = Self.basic
        connection[key] = value.map(ConnectionValue.plain)
        let password = key == "bindPassword" ? nil : "pw"
        let error = #expect(throws: ConnectorError.self) {
            try ActiveDirectorySettings(
                definition: ADFixtures.definition(connection),
                environment: ADFixtures.environment(bindPassword: password))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("'\(key)'") == true)
        #expect(error?.message.contains(problem) == true)
    }

    @Test func turningOffCertificateVerificationIsWarnedAbout() throws {
        var connection = Self.basic
        #expect(try settings(connection).warnings.isEmpty)
        connection["tlsVerify"] = .plain("false")
        let warnings = try settings(connection).warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("caCertificate") == true)
    }

    @Test func registersTypeAD() throws {
        var registry = ConnectorRegistry()
        ActiveDirectoryConnector.register(in: &registry)
        #expect(registry.types == ["ad"])
        let connector = try registry.connector(
            for: ADFixtures.definition(Self.basic), environment: ADFixtures.environment(bindPassword: "pw"))
        #expect(connector.capabilities == [.initialize, .change, .reset, .unlock])
    }

    // MARK: Values

    @Test func unicodePasswordIsQuotedUTF16LittleEndian() throws {
        let value = try #require(UnicodePassword.value(of: GuardedString("aé€𝄞")))
        let bytes = value.withUnsafeBytes { Array($0) }
        #expect(bytes == [0x22, 0, 0x61, 0, 0xE9, 0, 0xAC, 0x20, 0x34, 0xD8, 0x1E, 0xDD, 0x22, 0])
        #expect(UnicodePassword.value(of: GuardedString(bytes: [0x61, 0xFF])) == nil)
    }

    @Test func filterValuesAreEscaped() {
        #expect(ActiveDirectoryFilter.escape("a*b(c)d\\e\u{0}") == "a\\2ab\\28c\\29d\\5ce\\00")
        #expect(ActiveDirectoryFilter.account("*)(cn=*") == "(&(objectClass=user)(sAMAccountName=\\2a\\29\\28cn=\\2a))")
    }

    @Test func attributeTypeDeclarationsAreParsed() throws {
        let single = try #require(
            AttributeTypeDeclaration(
                "( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )"))
        #expect(single == AttributeTypeDeclaration(name: "sAMAccountName", type: .string, multivalued: false))
        let many = try #require(
            AttributeTypeDeclaration(
                "( 2.5.4.20 NAME 'telephoneNumber' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15{64}' )"))
        #expect(many.multivalued)
        let integer = try #require(
            AttributeTypeDeclaration(
                "( 1.2.840.113556.1.4.96 NAME 'pwdLastSet' SYNTAX '1.2.840.113556.1.4.906' SINGLE-VALUE )"))
        #expect(integer.type == .integer)
    }

    // MARK: Errors

    /// A failed bind's diagnostic, as AD and Samba word it.
    static func bindFailure(_ data: String) -> String {
        "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data \(data), v1db1"
    }

    @Test(arguments: [
        (49, bindFailure("52e"), .credentialsRejected, "data 52e"),
        (49, bindFailure("773"), .credentialsRejected, "must be changed at next logon"),
        (49, bindFailure("775"), .credentialsRejected, "locked out"),
        (49, bindFailure("533"), .credentialsRejected, "disabled"),
        (49, bindFailure("532"), .credentialsRejected, "password has expired"),
        (49, bindFailure("701"), .credentialsRejected, "account has expired"),
        (49, bindFailure("525"), .credentialsRejected, "no such user"),
        (19, "0000052D: Constraint violation - check_password_restrictions: too short", .policyRejected, "0000052D"),
        (19, "00000056: Constraint violation - old password doesn't match", .credentialsRejected, "is not correct"),
        (53, "00002035: it's not allowed to set the NT hash password directly", .configuration, "00002035"),
        (53, "0000052D: SvcErr: DSID-031A1248, problem 5003 (WILL_NOT_PERFORM)", .policyRejected, "0000052D"),
        (50, "00002098: Object CN=a,CN=Users,DC=x has no write property access", .permissionDenied, "00002098"),
        (32, "00002030: NameErr: DSID-03100213, problem 2001 (NO_OBJECT)", .notFound, "00002030"),
        (68, "00002071: samldb: samAccountName 'a' already in use!", .alreadyExists, "LDAP 68"),
        (8, "BindSimple: Transport encryption required.", .configuration, "encryption"),
        (13, "", .configuration, "encryption"),
        (-1, "Can't contact LDAP server", .unreachable, "LDAP -1"),
        (-11, "Connect error", .unreachable, "LDAP -11"),
        (52, "", .unreachable, "LDAP 52"),
        (-5, "no answer within 30 s", .timedOut, "LDAP -5"),
        (80, "pwdLastSet must be 0 or -1 only!", .failed, "LDAP 80"),
    ] as [(Int32, String, ConnectorError.Kind, String)])
    func directoryErrorsAreMapped(code: Int32, diagnostic: String, kind: ConnectorError.Kind, fragment: String) {
        let error = ActiveDirectoryErrorMapping.connectorError(
            for: LDAPResultError(code: code, diagnostic: diagnostic, context: "modify CN=a"), system: "corp-ad",
            action: "reset the password of 'alice'")
        #expect(error.kind == kind)
        #expect(error.message.contains(fragment))
        #expect(error.message.hasPrefix("system 'corp-ad': could not reset the password of 'alice': "))
        if code >= 0 { #expect(!error.message.contains("Constraint violation")) }
    }

    // MARK: The cleartext refusal

    @Test func aPasswordIsNeverSentOverAnUnencryptedSession() async throws {
        let session = RecordingSession(isEncrypted: false)
        let settings = try settings(Self.basic)
        let connector = ActiveDirectoryConnector(
            definition: ADFixtures.definition(Self.basic), settings: settings, session: session)
        let attributes = ADFixtures.password("Kw#Pass-1")

        let reset = await adError {
            try await connector.update(uid: "alice", attributes: attributes, options: PasswordOptions())
        }
        let change = await adError {
            try await connector.changePassword(
                uid: "alice", current: GuardedString("Kw#Pass-0"), attributes: attributes)
        }
        let create = await adError {
            try await connector.create(uid: "alice", attributes: attributes, options: PasswordOptions())
        }
        for error in [reset, change, create] {
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains("not encrypted") == true)
        }
        #expect(session.requests.withLock { $0 } == 0)
    }
}

/// A session that counts requests and answers none.
private final class RecordingSession: LDAPSession {
    let isEncrypted: Bool
    let requests = Mutex(0)

    init(isEncrypted: Bool) { self.isEncrypted = isEncrypted }

    private func record() throws(LDAPResultError) {
        requests.withLock { $0 += 1 }
        throw LDAPResultError(code: 1, diagnostic: "", context: "recording session")
    }

    func add(dn: String, attributes: [(String, [LDAPValue])]) async throws(LDAPResultError) { try record() }
    func modify(dn: String, _ modifications: [LDAPModification]) async throws(LDAPResultError) { try record() }
    func delete(dn: String) async throws(LDAPResultError) { try record() }
    func search(base: String, scope: LDAPScope, filter: String, attributes: [String]) async throws(LDAPResultError)
        -> [LDAPEntry]
    {
        try record()
        return []
    }
    func passwordModify(dn: String, old: GuardedString?, new: GuardedString) async throws(LDAPResultError) {
        try record()
    }
}
