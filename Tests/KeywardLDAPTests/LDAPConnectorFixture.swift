import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardLDAP
import Testing

/// Definitions and attributes for `ldap` systems on a test slapd.
enum LDAPConnectorFixture: ConnectorTestFixture {
    static let location = SourceLocation(file: "connectors/directory.yaml", line: 1, column: 1)

    static let mapping: [AttributeMapping] = [
        AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: location),
        AttributeMapping(
            name: "objectClass", source: .constant("top,person,organizationalPerson,inetOrgPerson"), location: location),
        AttributeMapping(name: "cn", source: .identity("givenName"), location: location),
        AttributeMapping(name: "sn", source: .identity("familyName"), location: location),
        AttributeMapping(name: "mail", source: .identity("email"), location: location),
        AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
    ]

    /// The `directory` system on `server`: LDAPS, the server's certificate
    /// as CA, Keyward's service account; `overrides` applied (nil removes a key).
    static func definition(_ server: SlapdServer, _ overrides: [String: ConnectionValue?] = [:]) -> ConnectorDefinition
    {
        var connection: [String: ConnectionValue] = [
            "url": .plain(server.ldapsURL), "caCertificate": .plain(server.certificatePath),
            "bindDN": .plain(SlapdServer.adminDN), "bindPassword": .environment("KEYWARD_TEST_LDAP_BIND"),
            "baseDN": .plain(SlapdServer.people), "timeoutSeconds": .plain("5"),
        ]
        for (key, value) in overrides { connection[key] = value }
        return ConnectorDefinition(
            name: "directory", type: "ldap", connection: connection, attributes: mapping, location: location)
    }

    /// An environment whose `bindPassword` is `password`.
    static func environment(bindPassword password: String = SlapdServer.adminPassword) -> ConnectorEnvironment {
        ConnectorEnvironment(directory: "") { key in key == "bindPassword" ? GuardedString(password) : nil }
    }

    static func connector(
        _ server: SlapdServer, _ overrides: [String: ConnectionValue?] = [:],
        bindPassword: String = SlapdServer.adminPassword
    ) throws -> LDAPDirectoryConnector {
        try LDAPDirectoryConnector(
            definition: definition(server, overrides), environment: environment(bindPassword: bindPassword))
    }

    /// A person's attributes, with `password` as `__PASSWORD__` when given.
    static func person(_ uid: String, password: String?) -> [ConnectorAttribute] {
        var attributes = [
            ConnectorAttribute(name: "uid", value: .plain(uid)),
            ConnectorAttribute(name: "objectClass", value: .plain("top,person,organizationalPerson,inetOrgPerson")),
            ConnectorAttribute(name: "cn", value: .plain("Person \(uid)")),
            ConnectorAttribute(name: "sn", value: .plain("Example")),
            ConnectorAttribute(name: "mail", value: .plain("\(uid)@example.org")),
        ]
        if let password { attributes.append(self.password(password)) }
        return attributes
    }
}
