import KeywardStore
import NIOCore
import NIOSSL
import PostgresNIO

/// The TLS the settings ask for, as PostgresNIO takes it: `verify-full`
/// trusts `sslrootcert` (else the system's CAs) and checks the host name
/// (or address) the URL gives; `require` encrypts without checking;
/// `disable` is plain. Never a fallback to plain text.
struct PostgresTLS: Sendable {
    let configuration: TLSConfiguration?

    init(_ settings: PostgresStoreSettings) throws(StoreError) {
        switch settings.tlsMode {
        case .disable:
            configuration = nil
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            self.configuration = configuration
        case .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .fullVerification
            if let path = settings.rootCertificatePath {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
                } catch {
                    throw PostgresStoreSettings.misconfigured(
                        "names sslrootcert=\(path), which holds no PEM certificate; give the CA certificate that signed the server's")
                }
            }
            self.configuration = configuration
        }
    }

    /// The pool's configuration.
    func clientConfiguration(_ settings: PostgresStoreSettings) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database,
            tls: self.configuration.map { PostgresClient.Configuration.TLS.require($0) } ?? .disable)
        configuration.options.maximumConnections = settings.poolSize
        configuration.options.connectTimeout = settings.timeout
        if self.configuration != nil { configuration.options.tlsServerName = Self.serverName(settings.host) }
        return configuration
    }

    /// One connection's configuration (for the migrations, at open).
    func connectionConfiguration(_ settings: PostgresStoreSettings) throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if let configuration = self.configuration {
            do {
                tls = .require(try NIOSSLContext(configuration: configuration))
            } catch {
                throw PostgresStoreSettings.misconfigured("gives TLS settings that do not work: \(error)")
            }
        } else {
            tls = .disable
        }
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(settings.timeout.components.seconds))
        if self.configuration != nil { configuration.options.tlsServerName = Self.serverName(settings.host) }
        return configuration
    }

    /// The name the certificate must hold: the host name; nil for an
    /// address (NIOSSL then checks the certificate's IP addresses).
    private static func serverName(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}
