import Foundation
import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// The connection settings of `entra` and `servicenow`, checked at start.
@Suite("Cloud connector settings", .offThePool)
struct CloudSettingsTests {
    static let location = CloudFixtures.location

    static func entra(_ connection: [String: ConnectionValue], mapping: [AttributeMapping] = CloudFixtures.entraMapping)
        -> ConnectorDefinition
    {
        var base: [String: ConnectionValue] = [
            "tenantId": .plain("11111111-2222-3333-4444-555555555555"), "clientId": .plain("app"),
            "clientSecret": .environment("SECRET"),
        ]
        base.merge(connection) { _, new in new }
        return ConnectorDefinition(name: "entra", type: "entra", connection: base, attributes: mapping, location: location)
    }

    static func serviceNow(_ connection: [String: ConnectionValue]) -> ConnectorDefinition {
        var base: [String: ConnectionValue] = [
            "instanceURL": .plain("https://example.service-now.com"), "username": .plain("keyward"),
            "password": .environment("PASSWORD"),
        ]
        base.merge(connection) { _, new in new }
        return ConnectorDefinition(
            name: "servicenow", type: "servicenow", connection: base, attributes: CloudFixtures.serviceNowMapping,
            location: location)
    }

    static let secrets = CloudFixtures.environment(["clientSecret": "s", "password": "p"])

    /// The message of the configuration error `body` throws; nil when it throws none.
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            let error = error as? ConnectorError
            #expect(error?.kind == .configuration)
            return error?.message
        }
    }

    @Test("the defaults: Microsoft's endpoints, 30 s, force change on, the system's CAs only")
    func entraDefaults() throws {
        let settings = try EntraSettings(definition: Self.entra([:]), environment: Self.secrets)
        #expect(settings.tokenURL == "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token")
        #expect(settings.graph.base == "https://graph.microsoft.com/v1.0")
        #expect(EntraToken.scope(for: settings.graph) == "https://graph.microsoft.com/.default")
        #expect(settings.timeout == .seconds(30) && settings.forceChangePasswordNextSignIn)
        #expect(settings.trust.caCertificatePath == nil && settings.trust.authorities.isEmpty)
    }

    @Test("plain HTTP is refused, even to this machine")
    func plainHTTPRefused() {
        let message = Self.refusal {
            _ = try EntraConnector(
                definition: Self.entra(["graphURL": .plain("http://127.0.0.1:8080/v1.0")]), environment: Self.secrets)
        }
        #expect(message?.contains("connection key 'graphURL' is http://") == true)
        let other = Self.refusal {
            _ = try ServiceNowConnector(
                definition: Self.serviceNow(["instanceURL": .plain("http://example.service-now.com")]),
                environment: Self.secrets)
        }
        #expect(other?.contains("'instanceURL' is http://") == true)
    }

    @Test(
        "wrong entra settings name the key",
        arguments: [
            (["tenant": ConnectionValue.plain("x")], "connection key 'tenant' is not a setting of type entra"),
            (["tenantId": .plain("bad/tenant")], "connection key 'tenantId' is required"),
            (["clientSecret": .environment("UNSET")], "connection key 'clientSecret' is required"),
            (["graphURL": .plain("https://graph.microsoft.com/v1.0?x=1")], "without user, query or fragment"),
            (["forceChangePasswordNextSignIn": .plain("maybe")], "must be true or false"),
            (["timeoutSeconds": .plain("0")], "connection key 'timeoutSeconds' must be a whole number"),
        ])
    func entraRefusals(_ connection: [String: ConnectionValue], _ expected: String) {
        let environment = CloudFixtures.environment(connection["clientSecret"] == nil ? ["clientSecret": "s"] : [:])
        let message = Self.refusal { _ = try EntraSettings(definition: Self.entra(connection), environment: environment) }
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
        #expect(message?.hasPrefix("system 'entra' (connectors/cloud.yaml:1:1)") == true)
    }

    @Test("a password attribute besides __PASSWORD__ is refused: these systems keep one password")
    func onePassword() {
        let mapping = CloudFixtures.entraMapping + [
            AttributeMapping(name: "portalPassword", isPassword: true, location: Self.location)
        ]
        let message = Self.refusal { _ = try EntraSettings(definition: Self.entra([:], mapping: mapping), environment: Self.secrets) }
        #expect(message?.contains("remove the password attribute 'portalPassword'") == true)
    }

    @Test(
        "wrong servicenow settings name the key",
        arguments: [
            (["authentication": ConnectionValue.plain("oauth-password")], "connection key 'clientId' is required with OAuth"),
            (["authentication": .plain("kerberos")], "must be basic, oauth-password or oauth-client-credentials"),
            (["table": .plain("sys_user; drop")], "connection key 'table' must be a table name"),
            (["username": .plain("")], "connection key 'username' is required"),
            (["instanceURL": .plain("ftp://x")], "must start with https://"),
        ])
    func serviceNowRefusals(_ connection: [String: ConnectionValue], _ expected: String) {
        let message = Self.refusal {
            _ = try ServiceNowSettings(definition: Self.serviceNow(connection), environment: Self.secrets)
        }
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
    }

    @Test("client credentials need no user; the key field is the uid attribute")
    func serviceNowClientCredentials() throws {
        let settings = try ServiceNowSettings(
            definition: Self.serviceNow([
                "authentication": .plain("oauth-client-credentials"), "clientId": .plain("c"),
                "clientSecret": .environment("S"), "passwordNeedsReset": .plain("false"),
            ]),
            environment: Self.secrets)
        #expect(settings.keyField == "user_name" && settings.table == "sys_user" && !settings.passwordNeedsReset)
        guard case .oauthClientCredentials(let id, _) = settings.authentication else {
            Issue.record("not client credentials")
            return
        }
        #expect(id == "c")
    }

    @Test("Basic credentials are base64 of user:password, built without a Data copy")
    func basic() {
        #expect(ServiceNowAuthorization.basicCredentials(username: "Aladdin", password: GuardedString("open sesame"))
            == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        for text in ["", "a", "ab", "abc", "abcd", "Grüße"] {
            let expected = Data(text.utf8).base64EncodedString()
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { ServiceNowAuthorization.base64($0) } == expected, "\(text)")
        }
    }
}
