import KeywardConnectors
import NIOCore
import NIOSSL
import PostgresNIO

/// Turns what postgres-nio throws into a ``ConnectorError`` of the right
/// kind, in words that name the system and never quote a value.
///
/// The server's message is kept only for SQLSTATE classes whose messages
/// name objects and not values (connection, authentication, access,
/// constraints, locks, resources); its `DETAIL` (which quotes the
/// conflicting key of a unique violation, or the failing row), `HINT`,
/// `CONTEXT` and `WHERE` never are, nor the statement.
struct PostgresTableFailure: Sendable {
    /// `system 'NAME'`.
    let system: String
    /// `host:port/database`.
    let database: String
    /// The login.
    let user: String

    /// The SQLSTATE of a server error, nil for anything else.
    static func sqlState(of error: any Error) -> String? {
        guard let error = error as? PSQLError, error.code == .server else { return nil }
        return error.serverInfo?[.sqlState]
    }

    /// `error` as a connector error.
    func connectorError(for error: any Error) -> ConnectorError {
        switch error {
        case let error as ConnectorError:
            return error
        case is PostgresTablePool.LeaseTimeout:
            return ConnectorError(
                .unreachable, "\(system): no session with PostgreSQL at \(database) came in time; is the server up?")
        case let error as PostgresTablePool.NoAnswer:
            return ConnectorError(
                .unreachable,
                "\(system): PostgreSQL at \(database) did not answer within \(error.limit.components.seconds) s; is the server up?")
        case is PostgresTablePool.Busy:
            return ConnectorError(
                .timedOut, "\(system): every session with PostgreSQL at \(database) stayed busy; try again later")
        case is CancellationError:
            return ConnectorError(.failed, "\(system): the operation was cancelled")
        case let error as PSQLError:
            return connectorError(for: error)
        case is IOError, is ChannelError, is NIOConnectionError, is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            return connectionError(error)
        default:
            return ConnectorError(.failed, "\(system): the database call failed (\(type(of: error)))")
        }
    }

    private func connectorError(for error: PSQLError) -> ConnectorError {
        switch error.code {
        case .server:
            return serverError(
                sqlState: error.serverInfo?[.sqlState] ?? "XX000", message: error.serverInfo?[.message] ?? "")
        case .connectionError, .failedToAddSSLHandler:
            return connectionError(error.underlying)
        case .sslUnsupported:
            return ConnectorError(
                .configuration,
                "\(system): PostgreSQL at \(database) does not offer TLS; turn ssl on there, "
                    + "or (on a network you trust) put sslmode=disable in the url")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed, .queryCancelled:
            return ConnectorError(.unreachable, "\(system): the session with PostgreSQL at \(database) was lost")
        case .authMechanismRequiresPassword:
            return ConnectorError(
                .credentialsRejected,
                "\(system): PostgreSQL at \(database) asks user '\(user)' for a password and none is set; "
                    + "set password: ${env:NAME}, PGPASSWORD or a .pgpass line")
        case .unsupportedAuthMechanism:
            return ConnectorError(
                .configuration, "\(system): PostgreSQL at \(database) asks for a login method Keyward does not speak; "
                    + "use scram-sha-256 or md5 in pg_hba.conf")
        case .saslError:
            return ConnectorError(.credentialsRejected, "\(system): the SCRAM login of user '\(user)' at \(database) failed")
        default:
            return ConnectorError(
                .protocolError, "\(system): PostgreSQL at \(database) answered unexpectedly (\(error.code))")
        }
    }

    /// A failure to connect: an untrusted certificate is a configuration
    /// to fix, anything else (refused, timed out, reset) transient.
    private func connectionError(_ underlying: (any Error)?) -> ConnectorError {
        switch underlying {
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            return ConnectorError(
                .configuration,
                "\(system): the TLS handshake with \(database) failed: its certificate is not signed by a CA "
                    + "the url's sslrootcert (or the system) trusts, or not for this host")
        case let error as IOError:
            return ConnectorError(.unreachable, "\(system): cannot connect to PostgreSQL at \(database) (\(error))")
        case let error as ChannelError:
            return ConnectorError(.unreachable, "\(system): cannot connect to PostgreSQL at \(database) (\(error))")
        case let error as NIOConnectionError:
            return ConnectorError(.unreachable, "\(system): cannot connect to PostgreSQL at \(database) (\(error))")
        default:
            let cause = underlying.map { " (\(type(of: $0)))" } ?? ""
            return ConnectorError(.unreachable, "\(system): cannot connect to PostgreSQL at \(database)\(cause)")
        }
    }

    /// An error the server sent, by its SQLSTATE.
    func serverError(sqlState: String, message: String) -> ConnectorError {
        let safeClasses: Set<Substring> = ["08", "23", "28", "3D", "40", "42", "53", "55", "57"]
        let said = safeClasses.contains(sqlState.prefix(2)) ? "\(message) (SQLSTATE \(sqlState))" : "SQLSTATE \(sqlState)"
        switch sqlState {
        case "28P01", "28000":
            return ConnectorError(
                .credentialsRejected,
                "\(system): PostgreSQL at \(database) refused the login of user '\(user)': \(said); "
                    + "check password:, PGPASSWORD or .pgpass, and pg_hba.conf")
        case "3D000":
            return ConnectorError(.configuration, "\(system): \(said); fix the database in the url")
        case "42501":
            return ConnectorError(.permissionDenied, "\(system): user '\(user)' may not do this at \(database): \(said)")
        case "40001", "40P01", "55P03", "57014":
            return ConnectorError(.timedOut, "\(system): another transaction at \(database) was in the way; try again (\(said))")
        case "53300", "53400":
            return ConnectorError(.throttled, "\(system): PostgreSQL at \(database) takes no more sessions now (\(said))")
        case "23505":
            return ConnectorError(.alreadyExists, "\(system): \(said)")
        default:
            break
        }
        switch sqlState.prefix(2) {
        case "08", "57":
            return ConnectorError(.unreachable, "\(system): PostgreSQL at \(database) is not available: \(said)")
        case "42":
            return ConnectorError(.configuration, "\(system): the table does not fit the settings: \(said)")
        case "53":
            return ConnectorError(.throttled, "\(system): PostgreSQL at \(database) is short of resources: \(said)")
        default:
            return ConnectorError(.failed, "\(system): PostgreSQL refused the statement: \(said)")
        }
    }
}
