import KeywardConnectors
import KeywardCore
import Testing

@testable import KeywardLDAP

/// The two ways Keyward authenticates to AD; every operation is tested in both.
enum ADAuthMode: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// "Basic with SSL": a simple bind on ldaps://127.0.0.1:636.
    case basic
    /// "Negotiate": SASL GSSAPI from the service account's keytab over ldap://localhost:389, sealed.
    case negotiate

    var testDescription: String { self == .basic ? "Basic with SSL" : "Negotiate" }

    /// `name` made unique per mode (sAMAccountName holds at most 20 characters).
    func uid(_ name: String) -> String { "\(name)-\(self == .basic ? "b" : "n")" }
}

enum ADFixtures {
    static let location = KeywardCore.SourceLocation(file: "connectors/corp-ad.yaml", line: 1, column: 1)

    static let mapping: [AttributeMapping] = [
        AttributeMapping(name: "sAMAccountName", source: .identity("username"), isUID: true, location: location),
        AttributeMapping(name: "givenName", source: .identity("givenName"), location: location),
        AttributeMapping(name: "sn", source: .identity("familyName"), location: location),
        AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
    ]

    /// A definition of type `ad` with `connection`.
    static func definition(_ connection: [String: ConnectionValue]) -> ConnectorDefinition {
        ConnectorDefinition(
            name: "corp-ad", type: "ad", connection: connection, attributes: mapping, location: location)
    }

    /// An environment whose `bindPassword` is `password`.
    static func environment(bindPassword password: String?) -> ConnectorEnvironment {
        ConnectorEnvironment(directory: "") { key in
            key == "bindPassword" ? password.map(GuardedString.init) : nil
        }
    }

    /// The attributes of a new person with `password`.
    static func person(_ given: String, _ family: String, password: String) -> [ConnectorAttribute] {
        [
            ConnectorAttribute(name: "givenName", value: .plain(given)),
            ConnectorAttribute(name: "sn", value: .plain(family)),
            ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(GuardedString(password))),
        ]
    }

    /// Just a new `__PASSWORD__`.
    static func password(_ password: String) -> [ConnectorAttribute] {
        [ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(GuardedString(password)))]
    }
}

extension SambaServer {
    /// The `ad` connector of this DC in `mode`, bound as `account`.
    func connector(
        _ mode: ADAuthMode, as account: ServiceAccount = .keyward, baseDN: String = SambaServer.usersDN,
        bindPassword: String? = nil
    ) throws -> ActiveDirectoryConnector {
        var connection: [String: ConnectionValue] = [
            "baseDN": .plain(baseDN), "domain": .plain(Self.domain), "timeoutSeconds": .plain("10"),
        ]
        switch mode {
        case .basic:
            connection["url"] = .plain("ldaps://127.0.0.1:636")
            connection["authentication"] = .plain("simple")
            connection["bindDN"] = .plain(account.userPrincipalName)
            connection["bindPassword"] = .environment("AD_BIND_PASSWORD")
            connection["caCertificate"] = .plain(certificatePath)
        case .negotiate:
            SambaTemplate.useKerberosConfiguration()
            connection["url"] = .plain("ldap://localhost:389")
            connection["authentication"] = .plain("gssapi")
            connection["principal"] = .plain(account.principal)
            connection["keytab"] = .plain(keytabPath(account))
        }
        return try ActiveDirectoryConnector(
            definition: ADFixtures.definition(connection),
            environment: ADFixtures.environment(bindPassword: bindPassword ?? account.password))
    }
}

/// Runs `body` and returns the ``ConnectorError`` it threw (a failed
/// expectation when it did not throw, or threw something else).
func adError(
    sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> ConnectorError? {
    do {
        try await body()
        Issue.record("expected a ConnectorError", sourceLocation: sourceLocation)
    } catch let error as ConnectorError {
        return error
    } catch {
        Issue.record("expected a ConnectorError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
