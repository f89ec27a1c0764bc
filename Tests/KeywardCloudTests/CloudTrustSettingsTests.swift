import Foundation
import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import NIOSSL
import Testing

@testable import KeywardCloud

/// Connection key `caCertificate` of `entra` and `servicenow`: the PEM file
/// is read when the connector is made, and a bad one is a configuration
/// error naming the key and the file.
@Suite("Cloud connector caCertificate", .offThePool)
struct CloudTrustSettingsTests {
    /// A new folder with the test CA as `ca.pem` (and as `ca.der`), removed by `body`'s end.
    static func withFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyward-trust-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pem = try FakeCertificates.shared().authority
        try Data(pem).write(to: URL(fileURLWithPath: folder + "/ca.pem"))
        try body(folder)
    }

    /// Makes both connectors with `caCertificate: value` in `folder`; the message of each refusal.
    static func refusals(_ value: String, folder: String) -> [String?] {
        let environment = ConnectorEnvironment(directory: folder) { _ in GuardedString("s") }
        let entra = CloudSettingsTests.refusal {
            _ = try EntraConnector(
                definition: CloudSettingsTests.entra(["caCertificate": .plain(value)]), environment: environment)
        }
        let serviceNow = CloudSettingsTests.refusal {
            _ = try ServiceNowConnector(
                definition: CloudSettingsTests.serviceNow(["caCertificate": .plain(value)]), environment: environment)
        }
        return [entra, serviceNow]
    }

    @Test("a relative path is read from keyward.yaml's folder; the CA is added to the system's CAs")
    func relativePath() throws {
        try Self.withFolder { folder in
            let environment = ConnectorEnvironment(directory: folder) { _ in GuardedString("s") }
            let entra = try EntraSettings(
                definition: CloudSettingsTests.entra(["caCertificate": .plain("ca.pem")]), environment: environment)
            #expect(entra.trust.caCertificatePath == folder + "/ca.pem" && entra.trust.authorities.count == 1)
            let serviceNow = try ServiceNowSettings(
                definition: CloudSettingsTests.serviceNow(["caCertificate": .plain(folder + "/ca.pem")]),
                environment: environment)
            #expect(serviceNow.trust.caCertificatePath == folder + "/ca.pem" && serviceNow.trust.authorities.count == 1)

            let tls = entra.trust.tlsConfiguration
            #expect(tls.certificateVerification == .fullVerification)
            #expect(tls.trustRoots == .default)
            #expect(tls.additionalTrustRoots == [.certificates(entra.trust.authorities)])
            #expect(tls.minimumTLSVersion == .tlsv12)
            #expect(CloudTrust.system.tlsConfiguration.additionalTrustRoots.isEmpty)
            #expect(CloudTrust.system.tlsConfiguration.certificateVerification == .fullVerification)
        }
    }

    @Test("a bundle of several CAs is read whole")
    func bundle() throws {
        try Self.withFolder { folder in
            let pem = try FakeCertificates.shared().authority
            try Data(pem + Array("\n".utf8) + pem).write(to: URL(fileURLWithPath: folder + "/bundle.pem"))
            let settings = try EntraSettings(
                definition: CloudSettingsTests.entra(["caCertificate": .plain(folder + "/bundle.pem")]),
                environment: CloudSettingsTests.secrets)
            #expect(settings.trust.authorities.count == 2)
        }
    }

    @Test("a missing file, a folder, or an empty value is refused naming the key and the file")
    func unreadable() throws {
        try Self.withFolder { folder in
            for message in Self.refusals("missing.pem", folder: folder) {
                #expect(
                    message?.contains(
                        "connection key 'caCertificate' names \(folder)/missing.pem, which cannot be read "
                            + "(No such file or directory)") == true, "\(message ?? "accepted")")
                #expect(message?.contains("relative path is from keyward.yaml's folder") == true)
            }
            for message in Self.refusals(folder, folder: folder) {
                #expect(
                    message?.contains("connection key 'caCertificate' names \(folder), which cannot be read (Is a directory)")
                        == true, "\(message ?? "accepted")")
            }
            for message in Self.refusals("", folder: folder) {
                #expect(message?.contains("connection key 'caCertificate' is empty") == true, "\(message ?? "accepted")")
            }
        }
    }

    @Test("a file that holds no PEM certificate is refused: text, a private key, DER, a broken PEM")
    func notPEM() throws {
        try Self.withFolder { folder in
            let pem = String(decoding: try FakeCertificates.shared().authority, as: UTF8.self)
            let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let der = try #require(Data(base64Encoded: base64))
            let files: [(String, Data)] = [
                ("text.pem", Data("just some text\n".utf8)),
                ("key.pem", Data("-----BEGIN PRIVATE KEY-----\n\(base64)\n-----END PRIVATE KEY-----\n".utf8)),
                ("ca.der", der),
                ("broken.pem", Data(pem.replacingOccurrences(of: "A", with: "*").utf8)),
                ("empty.pem", Data()),
            ]
            for (name, contents) in files {
                try contents.write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
                for message in Self.refusals(name, folder: folder) {
                    #expect(
                        message?.contains(
                            "connection key 'caCertificate' names \(folder)/\(name), which holds no PEM certificate") == true,
                        "\(name): \(message ?? "accepted")")
                    #expect(message?.contains("openssl x509 -inform der") == true)
                }
            }
            // Control: the same CA in PEM is accepted.
            #expect(Self.refusals("ca.pem", folder: folder) == [nil, nil])
        }
    }

    @Test("caCertificate takes a path, not a secret reference")
    func notASecret() {
        let message = CloudSettingsTests.refusal {
            _ = try EntraSettings(
                definition: CloudSettingsTests.entra(["caCertificate": .file("/etc/ca.pem")]),
                environment: CloudSettingsTests.secrets)
        }
        #expect(message?.contains("connection key 'caCertificate' takes plain text") == true)
    }
}
