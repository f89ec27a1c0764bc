import Foundation
import KeywardConnectors
import NIOSSL

/// The certificates a cloud connector trusts: the system's CAs, and in
/// addition the CA of connection key `caCertificate` when one is given
/// (the CA of a TLS-inspecting proxy, or of a private endpoint).
///
/// The CA is added rather than put in the system's place: behind a proxy
/// that inspects some hosts and lets others through, every host must still
/// be reached. Certificate and host name are always checked
/// (`.fullVerification`); nothing can turn that off.
struct CloudTrust: Sendable {
    /// The connection key that names the CA's file.
    static let key = "caCertificate"
    /// The largest file read as a CA: a bundle of a few hundred CAs fits.
    static let fileLimit = 4 << 20

    /// The file `caCertificate` names, resolved against keyward.yaml's folder; nil when not set.
    let caCertificatePath: String?
    /// The certificates read from it.
    let authorities: [NIOSSLCertificate]

    /// The system's CAs only.
    static let system = CloudTrust(caCertificatePath: nil, authorities: [])

    private init(caCertificatePath: String?, authorities: [NIOSSLCertificate]) {
        self.caCertificatePath = caCertificatePath
        self.authorities = authorities
    }

    /// Reads connection key `caCertificate` of `reader`'s definition, and
    /// the PEM file it names, now.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the key and
    ///   the file when the file cannot be read or holds no PEM certificate.
    init(reader: ConnectionReader, environment: ConnectorEnvironment) throws(ConnectorError) {
        guard let value = try reader.plain(Self.key) else {
            self = .system
            return
        }
        guard !value.isEmpty else {
            throw reader.error(Self.key, "is empty: give the PEM file of the CA that signed the service's certificate")
        }
        let path = environment.path(value)
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw reader.error(
                Self.key,
                "names \(path), which cannot be read (\(Self.reason(error))): give the PEM file of the CA "
                    + "that signed the service's certificate (a relative path is from keyward.yaml's folder)")
        }
        guard bytes.count <= Self.fileLimit else {
            throw reader.error(Self.key, "names \(path), which is over \(Self.fileLimit >> 20) MiB: not a CA's PEM file")
        }
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(bytes)), !certificates.isEmpty else {
            throw reader.error(
                Self.key,
                "names \(path), which holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER "
                    + "file with: openssl x509 -inform der -in FILE -out FILE.pem")
        }
        self.init(caCertificatePath: path, authorities: certificates)
    }

    /// The system's words for a failed read ("No such file or directory"),
    /// which Foundation wraps in a CocoaError.
    private static func reason(_ error: any Error) -> String {
        let cause = (error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error
        if let cause = cause.map({ $0 as NSError }), cause.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(cause.code)))
        }
        return (error as NSError).localizedDescription
    }

    /// The client side of TLS: TLS 1.2 or later, the certificate chain and
    /// the host name checked against the system's CAs and ``authorities``.
    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        configuration.trustRoots = .default
        configuration.additionalTrustRoots = authorities.isEmpty ? [] : [.certificates(authorities)]
        return configuration
    }

    /// What to do about a certificate whose chain was refused, naming
    /// `caCertificate`. (BoringSSL does not say whether the CA was unknown
    /// or a certificate out of date; the first is far more common.)
    var advice: String {
        if let caCertificatePath {
            return "it is signed by neither the system's CAs nor the CA in caCertificate (\(caCertificatePath)), or "
                + "it is out of date; check that caCertificate is the CA that signs the service's (or the proxy's) "
                + "certificate"
        }
        return "it is not signed by a CA the system trusts, or it is out of date; if a TLS-inspecting proxy or a "
            + "private CA signs it, set connection key 'caCertificate' to that CA's PEM file"
    }
}
