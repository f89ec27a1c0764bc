import Foundation
import KeywardConnectors
import KeywardCore

/// Where an `sql` system's PostgreSQL database is, read from its `url`:
/// `postgres://USER@HOST:PORT/DATABASE?sslmode=…&sslrootcert=…&connect_timeout=…`.
///
/// The URL never holds a password (one is refused: it would end up in
/// logs and process listings); the password comes from the connection's
/// `password` reference, `PGPASSWORD` or a `.pgpass` file
/// (``PostgresTablePassword``).
struct PostgresTableEndpoint: Sendable, Equatable {
    /// How the connection is protected, as libpq's `sslmode` names it.
    enum TLSMode: String, Sendable, CaseIterable {
        /// No TLS: everything, the database password's proof included, in the clear (warned about).
        case disable
        /// TLS without checking the certificate (warned about).
        case require
        /// TLS with a certificate from a trusted CA, for any host name (warned about).
        case verifyCA = "verify-ca"
        /// TLS with a certificate from a trusted CA for this host: the default.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address.
    let host: String
    /// The server's port (default 5432).
    let port: Int
    /// The database.
    let database: String
    /// The login, from the URL or the `username` key.
    let user: String
    /// How the connection is protected (default ``TLSMode/verifyFull``).
    let tlsMode: TLSMode
    /// A PEM file of the CAs to trust instead of the system's, resolved
    /// against keyward.yaml's folder; nil for the system's CAs.
    let rootCertificates: String?
    /// How long a connection may take to open (default 10 s).
    let connectTimeout: Duration

    /// Whether `url` is one of PostgreSQL's (`postgres://`, `postgresql://`).
    static func isPostgres(_ url: String) -> Bool {
        let lowered = url.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Reads `url` (and `username` when the URL names no user).
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the key and what to write.
    init(reader: ConnectionReader, environment: ConnectorEnvironment) throws(ConnectorError) {
        let form = "postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem"
        guard let url = try reader.plain("url"), Self.isPostgres(url), let parts = URLComponents(string: url) else {
            throw reader.error("url", "must be \(form)")
        }
        if parts.password != nil {
            throw reader.error(
                "url", "holds a password; remove it and use password: ${env:NAME}, PGPASSWORD or a .pgpass file")
        }
        guard let host = parts.host, !host.isEmpty else { throw reader.error("url", "names no host: \(form)") }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw reader.error("url", "names no database (one path segment): \(form)")
        }
        let username = try reader.plain("username")
        if let user = parts.user, let username, user != username {
            throw reader.error("username", "is '\(username)' but the url's user is '\(user)'; keep one of them")
        }
        guard let user = parts.user ?? username, !user.isEmpty else {
            throw reader.error("url", "names no user: \(form), or set username")
        }
        self.host = host
        port = parts.port ?? 5432
        self.database = database
        self.user = user

        var options: [String: String] = [:]
        for item in parts.queryItems ?? [] {
            guard ["sslmode", "sslrootcert", "connect_timeout"].contains(item.name) else {
                throw reader.error("url", "has '\(item.name)', which Keyward does not read; it takes sslmode, sslrootcert and connect_timeout")
            }
            options[item.name] = item.value ?? ""
        }
        let mode = options["sslmode"] ?? TLSMode.verifyFull.rawValue
        guard let tlsMode = TLSMode(rawValue: mode) else {
            throw reader.error(
                "url", "has sslmode=\(mode); Keyward takes verify-full (the default), verify-ca, require or disable "
                    + "(allow and prefer could fall back to plaintext without saying so)")
        }
        self.tlsMode = tlsMode
        rootCertificates = options["sslrootcert"].flatMap { $0 == "system" ? nil : environment.path($0) }
        let timeout = options["connect_timeout"] ?? "10"
        guard let seconds = Int(timeout), (1...3600).contains(seconds) else {
            throw reader.error("url", "has connect_timeout=\(timeout); give whole seconds from 1 to 3600")
        }
        connectTimeout = .seconds(seconds)
    }

    /// `host:port/database`, for messages.
    var label: String { "\(host):\(port)/\(database)" }

    /// What an admin should hear about the protection of this connection.
    func warnings(system: String) -> [String] {
        switch tlsMode {
        case .disable:
            ["\(system): sslmode=disable sends rows, hashes and secrets to \(label) unencrypted; use verify-full"]
        case .require:
            ["\(system): sslmode=require encrypts but does not check who answers at \(label); use verify-full"]
        case .verifyCA:
            ["\(system): sslmode=verify-ca does not check the certificate's host name for \(label); use verify-full"]
        case .verifyFull:
            []
        }
    }
}
