/// The connection facts of one test database on a ``PostgresServer``.
public struct PostgresDatabase: Sendable {
    /// `127.0.0.1`.
    public let host: String
    /// The server's port.
    public let port: Int
    /// The login (a superuser).
    public let user: String
    /// The login's password (give it as `PGPASSWORD`, never in a URL).
    public let password: String
    /// The database's name.
    public let name: String
    /// The CA that signed the server's certificate.
    public let caPath: String
    /// Whether the server speaks TLS.
    public let tls: Bool

    /// `postgres://user@127.0.0.1:PORT/NAME?sslmode=verify-full&sslrootcert=CA`
    /// (`sslmode=disable` on a server without TLS); no password.
    public var url: String { url(sslmode: tls ? "verify-full" : "disable") }

    /// The URL with another `sslmode` (and the CA, unless `disable`), on `host` when given.
    public func url(sslmode: String, host: String? = nil, caPath: String? = nil) -> String {
        let base = "postgres://\(user)@\(host ?? self.host):\(port)/\(name)?sslmode=\(sslmode)"
        return sslmode == "disable" ? base : base + "&sslrootcert=\(caPath ?? self.caPath)"
    }

    /// `["PGPASSWORD": password]`: the environment a store or connector reads the password from.
    public var environment: [String: String] { ["PGPASSWORD": password] }
}
