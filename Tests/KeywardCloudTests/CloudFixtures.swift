import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Logging
import Synchronization
import Testing

@testable import KeywardCloud

/// Definitions, environments and options for connectors against the fakes.
enum CloudFixtures: ConnectorTestFixture {
    static let location = SourceLocation(file: "connectors/cloud.yaml", line: 1, column: 1)
    static let clientSecret = "fake-client-secret-Ω-&=+"
    static let integrationPassword = "integration-Pass-1"

    /// An environment whose secrets are `secrets` by key.
    static func environment(_ secrets: [String: String]) -> ConnectorEnvironment {
        ConnectorEnvironment(directory: "") { key in secrets[key].map { GuardedString($0) } }
    }

    /// Options for a test: log lines into `logs`, waits recorded by `sleeps` instead of slept.
    static func options(logs: LogCapture, sleeps: SleepRecorder, retries: Int = 2, longestWait: Duration = .seconds(10))
        -> CloudConnectorOptions
    {
        CloudConnectorOptions(
            logger: Logger(label: "keyward.cloud.test") { _ in CapturingLogHandler(capture: logs) },
            throttling: ThrottleRetry(retries: retries, longestWait: longestWait, sleep: { await sleeps.record($0) }))
    }

    // MARK: Entra

    static let entraMapping: [AttributeMapping] = [
        AttributeMapping(name: "userPrincipalName", source: .identity("email"), isUID: true, location: location),
        AttributeMapping(name: "givenName", source: .identity("givenName"), location: location),
        AttributeMapping(name: "surname", source: .identity("familyName"), location: location),
        AttributeMapping(name: "department", source: .constant("Research"), location: location),
        AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
    ]

    /// The `entra` system on `graph`, trusting the test CA; `overrides` applied (nil removes a key).
    static func entraDefinition(_ graph: FakeGraph, _ overrides: [String: ConnectionValue?] = [:]) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "tenantId": .plain(graph.tenant), "clientId": .plain(graph.clientID),
            "clientSecret": .environment("KEYWARD_TEST_ENTRA_SECRET"), "authorityURL": .plain(graph.authorityURL),
            "graphURL": .plain(graph.graphURL), "timeoutSeconds": .plain("30"),
            "caCertificate": .plain(graph.caCertificatePath),
        ]
        for (key, value) in overrides { connection[key] = value }
        return ConnectorDefinition(
            name: "entra", type: "entra", connection: connection, attributes: entraMapping, location: location)
    }

    static func entra(
        _ graph: FakeGraph, _ overrides: [String: ConnectionValue?] = [:], secret: String = clientSecret,
        logs: LogCapture = LogCapture(), sleeps: SleepRecorder = SleepRecorder()
    ) throws -> EntraConnector {
        try EntraConnector(
            definition: entraDefinition(graph, overrides), environment: environment(["clientSecret": secret]),
            options: options(logs: logs, sleeps: sleeps))
    }

    /// A person's Entra attributes, with `password` as `__PASSWORD__` when given.
    static func entraPerson(_ upn: String, password: String?) -> [ConnectorAttribute] {
        var attributes = [
            ConnectorAttribute(name: "userPrincipalName", value: .plain(upn)),
            ConnectorAttribute(name: "givenName", value: .plain("Ada")),
            ConnectorAttribute(name: "surname", value: .plain("Lovelace")),
            ConnectorAttribute(name: "department", value: .plain("Research")),
        ]
        if let password { attributes.append(self.password(password)) }
        return attributes
    }

    // MARK: ServiceNow

    static let serviceNowMapping: [AttributeMapping] = [
        AttributeMapping(name: "user_name", source: .identity("username"), isUID: true, location: location),
        AttributeMapping(name: "email", source: .identity("email"), location: location),
        AttributeMapping(name: "first_name", source: .identity("givenName"), location: location),
        AttributeMapping(name: "last_name", source: .identity("familyName"), location: location),
        AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
    ]

    /// The `servicenow` system on `instance` with Basic authentication,
    /// trusting the test CA; `overrides` applied (nil removes a key).
    static func serviceNowDefinition(
        _ instance: FakeServiceNow, _ overrides: [String: ConnectionValue?] = [:]
    ) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "instanceURL": .plain(instance.instanceURL), "username": .plain("keyward.integration"),
            "password": .environment("KEYWARD_TEST_SN_PASSWORD"), "timeoutSeconds": .plain("30"),
            "caCertificate": .plain(instance.caCertificatePath),
        ]
        for (key, value) in overrides { connection[key] = value }
        return ConnectorDefinition(
            name: "servicenow", type: "servicenow", connection: connection, attributes: serviceNowMapping,
            location: location)
    }

    static func serviceNow(
        _ instance: FakeServiceNow, _ overrides: [String: ConnectionValue?] = [:],
        secrets: [String: String] = ["password": integrationPassword, "clientSecret": clientSecret],
        logs: LogCapture = LogCapture(), sleeps: SleepRecorder = SleepRecorder()
    ) throws -> ServiceNowConnector {
        try ServiceNowConnector(
            definition: serviceNowDefinition(instance, overrides), environment: environment(secrets),
            options: options(logs: logs, sleeps: sleeps))
    }

    /// A person's ServiceNow attributes, with `password` as `__PASSWORD__` when given.
    static func serviceNowPerson(_ userName: String, password: String?) -> [ConnectorAttribute] {
        var attributes = [
            ConnectorAttribute(name: "user_name", value: .plain(userName)),
            ConnectorAttribute(name: "email", value: .plain("\(userName)@example.org")),
            ConnectorAttribute(name: "first_name", value: .plain("Grace")),
            ConnectorAttribute(name: "last_name", value: .plain("Hopper")),
        ]
        if let password { attributes.append(self.password(password)) }
        return attributes
    }

}

/// The waits a ``ThrottleRetry`` asked for, instead of sleeping them.
final class SleepRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])

    func record(_ wait: Duration) async {
        waits.withLock { $0.append(wait) }
    }

    var recorded: [Duration] { waits.withLock { $0 } }
}
