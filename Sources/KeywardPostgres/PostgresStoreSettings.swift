import Foundation
public import KeywardStore

/// How the PostgreSQL store connects, read from `store: postgres://…` in
/// keyward.yaml:
///
/// ```
/// postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=/etc/keyward/pg-ca.pem&pool=10&lease=60&timeout=15
/// ```
///
/// The password is never in the URL: it comes from `PGPASSWORD`, else from
/// the password file (`PGPASSFILE`, else `~/.pgpass`) in libpq's format,
/// which is ignored unless only its owner can read it (mode 0600), as libpq
/// does. `sslmode` is `verify-full` (the default: encrypted, and the
/// server's certificate checked against `sslrootcert`, else the system's
/// trusted CAs, and its name against HOST), `require` (encrypted, the
/// certificate not checked: warned), or `disable` (no TLS: warned).
public struct PostgresStoreSettings: Sendable, CustomStringConvertible, CustomReflectable {
    /// How TLS to the server is used.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Encrypted, the certificate verified against the CA and the host name.
        case verifyFull = "verify-full"
        /// Encrypted, the certificate not verified.
        case require
        /// No TLS.
        case disable
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The login.
    public var user: String
    /// The database.
    public var database: String
    /// How TLS is used.
    public var tlsMode: TLSMode
    /// The CA certificate file (PEM) the server's certificate is verified against; nil: the system's CAs.
    public var rootCertificatePath: String?
    /// How many connections the pool keeps at most.
    public var poolSize: Int
    /// How long a claimed operation stays claimed without its worker renewing the claim.
    public var lease: Duration
    /// How long a call waits for a connection before it fails as unavailable.
    public var timeout: Duration
    /// What the settings do that is unsafe (no TLS, no verification), for the log.
    public var warnings: [String]
    /// The password (from the environment or the password file); never printed.
    var password: String

    /// `postgres://USER@HOST:PORT/DATABASE (sslmode=…)`: never the password.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database) (sslmode=\(tlsMode.rawValue))"
    }

    /// Every setting but the password (so `dump` and debuggers never show it).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "user": user, "database": database, "tlsMode": tlsMode,
                "rootCertificatePath": rootCertificatePath as Any, "poolSize": poolSize, "lease": lease,
                "timeout": timeout, "warnings": warnings,
            ])
    }

    /// The defaults: `pool=10`, `lease=60`, `timeout=15`.
    static let defaultPoolSize = 10
    static let defaultLeaseSeconds = 60
    static let defaultTimeoutSeconds = 15

    /// Reads `url`; finds the password in `environment` (`PGPASSWORD`,
    /// `PGPASSFILE`, `HOME`). Errors (`.misconfigured`) name the setting
    /// and what to do, and never hold a password.
    public static func parse(url: String, environment: [String: String]) throws(StoreError) -> PostgresStoreSettings {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw misconfigured("is not a postgres:// URL; write postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full")
        }
        if components.password != nil {
            throw misconfigured(
                "holds a password; remove it from the URL and give it in PGPASSWORD or a .pgpass file (mode 0600)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw misconfigured("names no user; write postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw misconfigured("names no host; write postgres://USER@HOST:PORT/DATABASE")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw misconfigured("names no database; write postgres://USER@HOST:PORT/DATABASE")
        }
        var query = try Self.query(components)
        let tlsMode = try Self.tlsMode(query.removeValue(forKey: "sslmode"))
        let rootCertificate = query.removeValue(forKey: "sslrootcert")
        let poolSize = try Self.number(query.removeValue(forKey: "pool"), "pool", default: defaultPoolSize, range: 1...500)
        let lease = try Self.number(query.removeValue(forKey: "lease"), "lease", default: defaultLeaseSeconds, range: 1...86_400)
        let timeout = try Self.number(
            query.removeValue(forKey: "timeout"), "timeout", default: defaultTimeoutSeconds, range: 1...3600)
        if let unknown = query.keys.sorted().first {
            throw misconfigured(
                "has the unknown setting '\(unknown)'; the settings are sslmode, sslrootcert, pool, lease and timeout")
        }
        if let rootCertificate, tlsMode == .verifyFull, !FileManager.default.isReadableFile(atPath: rootCertificate) {
            throw misconfigured("names sslrootcert=\(rootCertificate), which cannot be read; give the CA certificate (PEM) that signed the server's certificate")
        }
        let port = components.port ?? 5432
        let password = try PostgresPasswordFile.password(
            host: host, port: port, database: database, user: user, environment: environment)
        return PostgresStoreSettings(
            host: host, port: port, user: user, database: database, tlsMode: tlsMode,
            rootCertificatePath: rootCertificate, poolSize: poolSize, lease: .seconds(lease), timeout: .seconds(timeout),
            warnings: Self.warnings(tlsMode, rootCertificate), password: password)
    }

    private static func query(_ components: URLComponents) throws(StoreError) -> [String: String] {
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard query[item.name] == nil else { throw misconfigured("gives '\(item.name)' twice; give it once") }
            query[item.name] = item.value ?? ""
        }
        return query
    }

    private static func tlsMode(_ text: String?) throws(StoreError) -> TLSMode {
        guard let text else { return .verifyFull }
        guard let mode = TLSMode(rawValue: text) else {
            throw misconfigured(
                "has sslmode=\(text); use verify-full (the default), require (not verified) or disable (no TLS)")
        }
        return mode
    }

    private static func number(_ text: String?, _ name: String, default value: Int, range: ClosedRange<Int>) throws(StoreError) -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw misconfigured("has \(name)=\(text); give a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func warnings(_ mode: TLSMode, _ rootCertificate: String?) -> [String] {
        switch mode {
        case .verifyFull:
            return []
        case .require:
            return [
                "store: sslmode=require encrypts the connection to PostgreSQL but does not verify the server's certificate; anyone on the path can pose as the server. Use sslmode=verify-full with sslrootcert"
            ]
        case .disable:
            return [
                "store: sslmode=disable sends everything to PostgreSQL unencrypted, the login included; use sslmode=verify-full with sslrootcert"
            ]
        }
    }

    /// An error about the `store:` URL.
    static func misconfigured(_ problem: String) -> StoreError {
        StoreError(.misconfigured, "store: the PostgreSQL URL \(problem)")
    }
}
