import KeywardConnectors
import KeywardCore
import KeywardLDAP
import KeywardTestSupport
import Testing

/// The `ldap` connector's settings, checked without a server.
@Suite("ldap connector settings", .offThePool)
struct LDAPConnectorSettingsTests {
    static let location = SourceLocation(file: "connectors/directory.yaml", line: 2, column: 1)

    static func definition(_ overrides: [String: ConnectionValue?] = [:]) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "url": .plain("ldaps://ldap.example.org"), "bindDN": .plain("cn=keyward,ou=services,dc=example,dc=org"),
            "bindPassword": .environment("BIND"), "baseDN": .plain("ou=people,dc=example,dc=org"),
        ]
        for (key, value) in overrides { connection[key] = value }
        return ConnectorDefinition(
            name: "directory", type: "ldap", connection: connection, attributes: LDAPConnectorFixture.mapping,
            location: location)
    }

    static func settings(_ overrides: [String: ConnectionValue?] = [:], bindPassword: String? = "Secret#1")
        throws(ConnectorError) -> LDAPDirectorySettings
    {
        let environment = ConnectorEnvironment(directory: "/etc/keyward") { key in
            key == "bindPassword" ? bindPassword.map(GuardedString.init) : nil
        }
        return try LDAPDirectorySettings(definition: definition(overrides), environment: environment)
    }

    static func configurationError(_ overrides: [String: ConnectionValue?], bindPassword: String? = "Secret#1")
        -> String
    {
        do {
            _ = try settings(overrides, bindPassword: bindPassword)
            Issue.record("expected a configuration error for \(overrides)")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("system 'directory' (connectors/directory.yaml:2:1)"))
            return error.message
        }
        return ""
    }

    @Test func defaults() throws {
        let settings = try Self.settings()
        #expect(settings.endpoint.url == "ldaps://ldap.example.org")
        #expect(settings.endpoint.tlsVerify)
        #expect(!settings.endpoint.startTLS)
        #expect(settings.endpoint.timeoutSeconds == 30)
        #expect(settings.uidAttribute == "uid")
        #expect(settings.passwordReset == .passwordModify)
        #expect(settings.warnings.isEmpty)
        #expect(
            settings.authentication
                == .simple(bindDN: "cn=keyward,ou=services,dc=example,dc=org", password: GuardedString("Secret#1")))
    }

    @Test func plainLDAPWithoutStartTLSIsRefused() {
        let message = Self.configurationError(["url": .plain("ldap://ldap.example.org")])
        #expect(message.contains("would send passwords in the clear; use ldaps:// or startTLS: true"))
    }

    @Test func plainLDAPWithStartTLSOrGSSAPIIsAccepted() throws {
        #expect(
            try Self.settings(["url": .plain("ldap://ldap.example.org"), "startTLS": .plain("true")]).endpoint.startTLS)
        let gssapi = try Self.settings([
            "url": .plain("ldap://ldap.example.org"), "authentication": .plain("gssapi"),
            "credentialCache": .plain("FILE:/tmp/krb5cc_keyward"), "bindDN": nil, "bindPassword": nil,
        ])
        #expect(
            gssapi.authentication == .gssapi(principal: nil, keytab: nil, credentialCache: "FILE:/tmp/krb5cc_keyward"))
    }

    @Test func simpleAuthenticationNeedsABindDNAndPassword() {
        #expect(Self.configurationError(["bindDN": nil]).contains("'bindDN' is required"))
        #expect(Self.configurationError([:], bindPassword: nil).contains("'bindPassword' is required"))
        #expect(Self.configurationError(["bindDN": .environment("DN")]).contains("plain text"))
    }

    @Test func gssapiNeedsAKeytabOrACredentialCache() {
        #expect(Self.configurationError(["authentication": .plain("gssapi")]).contains("credentialCache is required"))
        #expect(
            Self.configurationError(["authentication": .plain("gssapi"), "keytab": .plain("missing.keytab")])
                .contains("/etc/keyward/missing.keytab, which cannot be read"))
        #expect(Self.configurationError(["authentication": .plain("kerberos")]).contains("simple or gssapi"))
    }

    @Test func otherWrongSettings() {
        #expect(Self.configurationError(["url": .plain("https://ldap.example.org")]).contains("ldaps:// or ldap://"))
        #expect(Self.configurationError(["url": nil]).contains("'url' is required"))
        #expect(Self.configurationError(["baseDN": nil]).contains("'baseDN' is required"))
        #expect(Self.configurationError(["startTLS": .plain("true")]).contains("ldap:// URLs only"))
        #expect(Self.configurationError(["startTLS": .plain("maybe")]).contains("true or false"))
        #expect(Self.configurationError(["timeoutSeconds": .plain("0")]).contains("from 1 to 3600"))
        #expect(
            Self.configurationError(["passwordReset": .plain("replace")]).contains("passwordModify or userPassword"))
        #expect(Self.configurationError(["uidAttribute": .plain("uid,cn")]).contains("attribute name"))
        #expect(
            Self.configurationError(["caCertificate": .plain("ca.pem")]).contains(
                "/etc/keyward/ca.pem, which cannot be read"))
    }

    @Test func tlsVerifyFalseIsWarnedAbout() throws {
        let settings = try Self.settings(["tlsVerify": .plain("false")])
        #expect(!settings.endpoint.tlsVerify)
        #expect(settings.warnings.count == 1)
        #expect(settings.warnings.first?.contains("tlsVerify is false") == true)
    }

    @Test func theConnectorRegistersAsLDAP() throws {
        var registry = ConnectorRegistry()
        LDAPDirectoryConnector.register(in: &registry)
        #expect(registry.types == ["ldap"])
        let environment = ConnectorEnvironment(directory: "") { key in key == "bindPassword" ? GuardedString("x") : nil
        }
        let connector = try registry.connector(for: Self.definition(), environment: environment)
        #expect(connector.capabilities == [.initialize, .change, .reset, .unlock])
        #expect((connector as? LDAPDirectoryConnector)?.dn(of: "alice") == "uid=alice,ou=people,dc=example,dc=org")
    }

    @Test(arguments: [
        ("alice", "alice"),
        ("o'brien, jr", "o'brien\\, jr"),
        ("a+b=c;d<e>f\"g\\h", "a\\+b\\=c\\;d\\<e\\>f\\\"g\\\\h"),
        ("#hash", "\\#hash"),
        (" padded ", "\\ padded\\ "),
        ("in#side", "in#side"),
        ("nul\u{0}x", "nul\\00x"),
        ("Zoë", "Zoë"),
    ])
    func distinguishedNameValuesAreEscaped(value: String, escaped: String) {
        #expect(LDAPDistinguishedName.escapeValue(value) == escaped)
    }
}
