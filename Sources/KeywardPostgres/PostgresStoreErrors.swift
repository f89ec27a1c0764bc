import KeywardStore
import NIOSSL
import PostgresNIO

/// PostgreSQL's and PostgresNIO's errors as ``StoreError``s.
///
/// A message names the server and what to do, with PostgreSQL's own
/// primary message and SQLSTATE at most: never a statement, its
/// parameters, or the server's detail line (which may quote a value).
enum PostgresStoreErrors {
    static func map(_ error: any Error, _ settings: PostgresStoreSettings) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PostgresTransactionError {
            return map(
                error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error, settings)
        }
        if let error = error as? PostgresDecodingError {
            return StoreError(.corrupt, "\(settings): a stored value has an unexpected type (column \(error.columnName)); is this a Keyward store?")
        }
        // The pool's own error (its module is not ours to import): no
        // connection could be made for a while.
        if String(describing: type(of: error)) == "ConnectionPoolError" {
            return unavailable(settings, "no connection could be made")
        }
        if let tls = tlsProblem(error) { return certificateRefused(settings, tls) }
        guard let error = error as? PSQLError else {
            return StoreError(.database, "\(settings): \(type(of: error))")
        }
        switch error.code {
        case .server:
            return server(error, settings)
        case .sslUnsupported:
            return StoreError(
                .misconfigured,
                "\(settings): the server does not speak TLS; turn on ssl in postgresql.conf, or (not advised) set sslmode=disable")
        case .connectionError, .failedToAddSSLHandler:
            if let tls = error.underlying.flatMap(tlsProblem) { return certificateRefused(settings, tls) }
            return unavailable(settings, "cannot connect")
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .queryCancelled:
            return unavailable(settings, "the connection was lost")
        case .poolClosed:
            return StoreError(.database, "\(settings): the store was closed")
        case .authMechanismRequiresPassword, .saslError, .unsupportedAuthMechanism:
            return StoreError(
                .misconfigured, "\(settings): the login was refused (\(error.code)); check the user and its password")
        default:
            return StoreError(.database, "\(settings): \(error.code)")
        }
    }

    /// A call that waited `limit` for the database.
    static func timedOut(_ settings: PostgresStoreSettings, _ limit: Duration) -> StoreError {
        unavailable(settings, "no answer within \(limit.components.seconds) s, the URL's timeout setting")
    }

    private static func unavailable(_ settings: PostgresStoreSettings, _ why: String) -> StoreError {
        // Workers and the outbox retry by themselves and say so in their own
        // lines; a one-off command just fails, so this does not promise a retry.
        StoreError(.unavailable, "\(settings) is unavailable (\(why)); check that the server is up and reachable")
    }

    private static func server(_ error: PSQLError, _ settings: PostgresStoreSettings) -> StoreError {
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "error"
        let said = "PostgreSQL: \(message) [\(state)]"
        switch state {
        case "28P01", "28000":
            return StoreError(
                .misconfigured,
                "\(settings): the login was refused (\(said)); check the user, and its password in PGPASSWORD or .pgpass")
        case "3D000":
            return StoreError(.misconfigured, "\(settings): the database does not exist (\(said)); create it (createdb)")
        case "42501":
            return StoreError(.misconfigured, "\(settings): permission denied (\(said)); grant the user rights on the database")
        case "40001", "40P01", "55P03":
            return StoreError(.locked, "\(settings): \(said); try again")
        case _ where state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" || state == "53000":
            return unavailable(settings, said)
        default:
            return StoreError(.database, "\(settings): \(said)")
        }
    }

    private static func certificateRefused(_ settings: PostgresStoreSettings, _ problem: String) -> StoreError {
        StoreError(
            .misconfigured,
            "\(settings): the server's certificate was refused (\(problem)); give the CA that signed it in sslrootcert, and a host name the certificate names")
    }

    /// What TLS refused, when the connection failed for a TLS reason.
    private static func tlsProblem(_ error: any Error) -> String? {
        if let error = error as? NIOSSLError { return "\(error)" }
        if let error = error as? BoringSSLError { return "\(error)" }
        if let error = error as? NIOSSLExtraError { return "\(error)" }
        return nil
    }
}
