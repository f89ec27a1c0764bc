import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// TLS against the fakes, which speak HTTPS with certificates made by the
/// tests: the connectors reach them only through `caCertificate`, refuse a
/// certificate signed by another CA or made for another host before
/// sending anything, and never speak plain HTTP.
@Suite("Cloud connectors over TLS", .offThePool)
struct CloudTLSTests {
    @Test("the test CA in caCertificate reaches the fakes, by IP address and by the name localhost")
    func trusted() async throws {
        try await withFakeGraph { graph in
            try await CloudFixtures.entra(graph).test()
            let byName = graph.authorityURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            try await CloudFixtures.entra(graph, ["authorityURL": .plain(byName), "graphURL": .plain(byName + "/v1.0")]).test()
            #expect(graph.requestsReceived == 4)
        }
        try await withFakeServiceNow { instance in
            try await CloudFixtures.serviceNow(instance).test()
            #expect(instance.requestsReceived == 1)
        }
    }

    @Test("a certificate signed by a CA not trusted is refused, naming caCertificate, and nothing is sent")
    func otherAuthority() async throws {
        try await withFakeGraph(certificate: .otherAuthority) { graph in
            let connector = try CloudFixtures.entra(graph)
            let error = await CloudFixtures.expectError(.unreachable) {
                try await connector.update(
                    uid: "ada@example.org", attributes: [CloudFixtures.password(Canary.password)], options: PasswordOptions())
            }
            Self.expectRefusal(error, naming: "neither the system's CAs nor the CA in caCertificate (\(graph.caCertificatePath))")
            let untrusting = try CloudFixtures.entra(graph, ["caCertificate": nil])
            let system = await CloudFixtures.expectError(.unreachable) { try await untrusting.test() }
            Self.expectRefusal(system, naming: "set connection key 'caCertificate' to that CA's PEM file")
            #expect(graph.requestsReceived == 0 && graph.tokensIssued == 0)

            // Control: the CA that did sign the fake's certificate is trusted.
            try await CloudFixtures.entra(graph, ["caCertificate": .plain(graph.issuerCertificatePath)]).test()
            #expect(graph.requestsReceived == 2)
        }
        try await withFakeServiceNow(certificate: .otherAuthority) { instance in
            let error = await Self.refusedCreate(try CloudFixtures.serviceNow(instance))
            Self.expectRefusal(error, naming: "caCertificate (\(instance.caCertificatePath))")
            #expect(instance.requestsReceived == 0 && instance.user("grace") == nil)
        }
    }

    @Test("a certificate for another host name is refused the same way, and nothing is sent")
    func otherHost() async throws {
        try await withFakeGraph(certificate: .otherHost) { graph in
            let connector = try CloudFixtures.entra(graph)
            let error = await CloudFixtures.expectError(.unreachable) { try await connector.test() }
            Self.expectRefusal(error, naming: "it does not name 127.0.0.1")
            #expect(error?.message.contains("check that the proxy's CA is in caCertificate") == true)
            #expect(graph.requestsReceived == 0 && graph.tokensIssued == 0)
        }
        try await withFakeServiceNow(certificate: .otherHost) { instance in
            let error = await Self.refusedCreate(try CloudFixtures.serviceNow(instance))
            Self.expectRefusal(error, naming: "it does not name 127.0.0.1")
            #expect(instance.requestsReceived == 0)
        }
    }

    @Test("an http:// URL is refused when the connector is made, even to a fake on this machine")
    func plainHTTP() async throws {
        try await withFakeGraph { graph in
            let plain = graph.authorityURL.replacingOccurrences(of: "https://", with: "http://")
            for key in ["authorityURL", "graphURL"] {
                let message = CloudSettingsTests.refusal { _ = try CloudFixtures.entra(graph, [key: .plain(plain)]) }
                #expect(
                    message?.contains("connection key '\(key)' is http://, which would send passwords in clear; use https://")
                        == true, "\(message ?? "accepted")")
            }
            #expect(graph.requestsReceived == 0)
        }
        try await withFakeServiceNow { instance in
            let plain = instance.instanceURL.replacingOccurrences(of: "https://", with: "http://")
            let message = CloudSettingsTests.refusal {
                _ = try CloudFixtures.serviceNow(instance, ["instanceURL": .plain(plain)])
            }
            #expect(message?.contains("connection key 'instanceURL' is http://") == true, "\(message ?? "accepted")")
            #expect(instance.requestsReceived == 0)
        }
    }

    /// The error of creating `grace` with the canary password, which must be unreachable.
    static func refusedCreate(_ connector: ServiceNowConnector) async -> ConnectorError? {
        await CloudFixtures.expectError(.unreachable) {
            try await connector.create(
                uid: "grace", attributes: CloudFixtures.serviceNowPerson("grace", password: Canary.password),
                options: PasswordOptions())
        }
    }

    /// Checks that `error` is a refused certificate, transient, naming `detail`, without the password.
    static func expectRefusal(
        _ error: ConnectorError?, naming detail: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let message = error?.message ?? ""
        #expect(message.contains("was not sent: the service's certificate was not trusted"), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains(detail), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains("caCertificate"), sourceLocation: sourceLocation)
        #expect(error?.isTransient == true, sourceLocation: sourceLocation)
        #expect(!message.contains(Canary.password), sourceLocation: sourceLocation)
    }
}
