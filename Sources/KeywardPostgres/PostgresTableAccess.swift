import KeywardConnectors
import KeywardCore
import NIOCore
import NIOSSL
import PostgresNIO

/// Everything needed to log in to an `sql` system's PostgreSQL database:
/// the endpoint, the password, and the TLS settings made from them once.
///
/// Reflection shows none of it (the password above all).
struct PostgresTableAccess: Sendable, CustomReflectable {
    /// Where the database is.
    let endpoint: PostgresTableEndpoint
    /// The login's password, nil to send none.
    let password: GuardedString?
    /// The TLS settings, nil for `sslmode=disable`.
    let tls: TLSConfiguration?
    /// ``tls`` as a context, for the direct connections that probe the server.
    let tlsContext: NIOSSLContext?

    /// What sessions are started with: a name for `pg_stat_activity`, and
    /// a five-second wait for a row lock (as the SQLite connector's busy
    /// timeout) before the statement fails as timed out.
    static let startupParameters = [("application_name", "keyward"), ("lock_timeout", "5s")]

    /// Makes the TLS settings of `endpoint`.
    /// - Throws: ``ConnectorError/Kind/configuration`` when `sslrootcert`
    ///   is not a readable PEM file.
    init(endpoint: PostgresTableEndpoint, password: GuardedString?, reader: ConnectionReader) throws(ConnectorError) {
        self.endpoint = endpoint
        self.password = password
        guard endpoint.tlsMode != .disable else {
            tls = nil
            tlsContext = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch endpoint.tlsMode {
        case .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull, .disable: tls.certificateVerification = .fullVerification
        }
        if let path = endpoint.rootCertificates, endpoint.tlsMode != .require {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw reader.error("url", "has sslrootcert=\(path), which is not a readable PEM file of CA certificates")
            }
        }
        do {
            tlsContext = try NIOSSLContext(configuration: tls)
        } catch {
            throw reader.error("url", "gives TLS settings that cannot be used (\(type(of: error)))")
        }
        self.tls = tls
    }

    /// The pool's settings: at most `maximumConnections` sessions, closed
    /// after a minute unused.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: passwordText,
            database: endpoint.database, tls: tls.map { .require($0) } ?? .disable)
        configuration.options.connectTimeout = endpoint.connectTimeout
        configuration.options.additionalStartupParameters = Self.startupParameters
        configuration.options.maximumConnections = maximumConnections
        configuration.options.keepAliveBehavior = nil
        return configuration
    }

    /// The settings of one direct connection.
    func connectionConfiguration() -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: passwordText,
            database: endpoint.database, tls: tlsContext.map { .require($0) } ?? .disable)
        configuration.options.connectTimeout = TimeAmount.nanoseconds(
            endpoint.connectTimeout.components.seconds * 1_000_000_000)
        configuration.options.additionalStartupParameters = Self.startupParameters
        return configuration
    }

    /// postgres-nio takes the password as a `String`, kept for every login.
    private var passwordText: String? {
        password?.withPlaintext { $0 }
    }

    var customMirror: Mirror { Mirror(self, children: []) }
}
