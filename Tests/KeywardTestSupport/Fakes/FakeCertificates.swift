import Foundation

/// The certificates the fake services serve, made once per test process
/// (by ``TestCertificates``, in a folder removed right after) and kept in
/// memory:
/// - the *test CA*, which tests trust through `caCertificate`;
/// - a certificate it signs for 127.0.0.1 and localhost (what fakes serve);
/// - a certificate it signs for `example.invalid` only (the wrong host);
/// - a certificate for 127.0.0.1 and localhost signed by *another CA*,
///   which tests do not trust.
public struct FakeCertificates: Sendable {
    /// Which certificate a fake server presents.
    public enum Served: Sendable {
        /// For IP 127.0.0.1 and DNS localhost, signed by the test CA.
        case localhost
        /// For DNS example.invalid only, signed by the test CA.
        case otherHost
        /// For 127.0.0.1 and localhost, signed by another CA than the test CA.
        case otherAuthority
    }

    /// A certificate and its private key, in PEM.
    struct Identity: Sendable {
        var certificate: [UInt8]
        var key: [UInt8]
    }

    /// The test CA, in PEM.
    public let authority: [UInt8]
    /// The other CA, in PEM.
    let otherAuthority: [UInt8]
    private let localhost: Identity
    private let otherHost: Identity
    private let otherAuthorityLocalhost: Identity

    /// The certificates of this process, made on first use.
    public static func shared() throws -> FakeCertificates {
        try made.get()
    }

    private static let made = Result { try FakeCertificates() }

    /// The certificate and key `served` stands for.
    func identity(_ served: Served) -> Identity {
        switch served {
        case .localhost: localhost
        case .otherHost: otherHost
        case .otherAuthority: otherAuthorityLocalhost
        }
    }

    /// The CA in PEM that signed the certificate `served` stands for.
    func issuer(_ served: Served) -> [UInt8] {
        served == .otherAuthority ? otherAuthority : authority
    }

    private init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyward-fake-tls-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        try TestCertificates.authority(in: directory, name: "ca", commonName: "Keyward test CA")
        try TestCertificates.authority(in: directory, name: "other-ca", commonName: "Keyward untrusted test CA")
        let both = "DNS:localhost,IP:127.0.0.1"
        try TestCertificates.server(in: directory, name: "localhost", subjectAltName: both, signedBy: "ca")
        try TestCertificates.server(in: directory, name: "other-host", subjectAltName: "DNS:example.invalid", signedBy: "ca")
        try TestCertificates.server(in: directory, name: "other-ca-localhost", subjectAltName: both, signedBy: "other-ca")

        func read(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).pem")))
        }
        func identity(_ name: String) throws -> Identity {
            Identity(certificate: try read(name), key: try read("\(name)-key"))
        }
        authority = try read("ca")
        otherAuthority = try read("other-ca")
        localhost = try identity("localhost")
        otherHost = try identity("other-host")
        otherAuthorityLocalhost = try identity("other-ca-localhost")
    }
}
