import Foundation

/// Certificates for tests, made with the `openssl` tool: self-signed ones
/// (slapd, which is its own CA) and a throwaway CA with the server
/// certificates it signs (the fakes of cloud services).
///
/// Each one is `<name>.pem` with its key in `<name>-key.pem`, in the folder
/// given, valid for 30 days.
public enum TestCertificates {
    /// A self-signed certificate for CN localhost with SANs localhost and
    /// 127.0.0.1 (an RSA 2048 key): a server that is its own CA.
    public static func selfSigned(in directory: String, name: String) throws {
        try openssl(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", "\(directory)/\(name)-key.pem", "-out", "\(directory)/\(name).pem")
    }

    /// A CA certificate named `commonName` (basicConstraints CA:TRUE,
    /// keyCertSign), self-signed, with a P-256 key.
    public static func authority(in directory: String, name: String, commonName: String) throws {
        try openssl(
            ["req", "-x509", "-nodes", "-days", "30", "-subj", "/CN=\(commonName)"] + ellipticKey + [
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", "\(directory)/\(name)-key.pem", "-out", "\(directory)/\(name).pem",
            ])
    }

    /// A server certificate (serverAuth, not a CA) for `subjectAltName`
    /// (such as `DNS:localhost,IP:127.0.0.1`), signed by the CA `authority`
    /// made by ``authority(in:name:commonName:)`` in the same folder.
    public static func server(in directory: String, name: String, subjectAltName: String, signedBy authority: String) throws {
        let base = "\(directory)/\(name)"
        try openssl(["req", "-new", "-nodes", "-subj", "/CN=keyward-test-server"] + ellipticKey + [
            "-keyout", "\(base)-key.pem", "-out", "\(base).csr",
        ])
        let extensions = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = \(subjectAltName)

            """
        try extensions.write(toFile: "\(base).ext", atomically: true, encoding: .utf8)
        try openssl(
            "x509", "-req", "-in", "\(base).csr", "-days", "30",
            "-CA", "\(directory)/\(authority).pem", "-CAkey", "\(directory)/\(authority)-key.pem",
            "-set_serial", String(UInt64.random(in: 1...UInt64(Int64.max))), "-extfile", "\(base).ext", "-out", "\(base).pem")
    }

    /// A new P-256 key (fast to make, unlike RSA).
    private static let ellipticKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]

    private static func openssl(_ arguments: String...) throws {
        try openssl(arguments)
    }

    private static func openssl(_ arguments: [String]) throws {
        try TestTool.run("/usr/bin/openssl", arguments)
    }
}
