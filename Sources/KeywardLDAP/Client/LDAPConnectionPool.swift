import CLDAP
public import KeywardCore
import Synchronization

/// A few reusable connections to one endpoint, all bound the same way.
///
/// An operation takes an idle connection (or opens one), runs, and gives it
/// back; at most ``maximumIdleConnections`` wait between operations, others
/// are closed. When a connection that waited in the pool turns out to be
/// dead (libldap -1, server down: the server restarted or an idle timeout
/// closed it), the pool forgets every idle connection, opens a fresh one
/// and runs the operation once more.
public final class LDAPConnectionPool: LDAPSession {
    /// Where the connections go.
    public let endpoint: LDAPEndpoint
    /// How they bind.
    public let authentication: LDAPAuthentication
    /// How many idle connections are kept.
    public let maximumIdleConnections: Int

    private let idle = Mutex<[LDAPConnection]>([])

    /// Creates an empty pool; connections open on first use.
    public init(endpoint: LDAPEndpoint, authentication: LDAPAuthentication, maximumIdleConnections: Int = 4) {
        self.endpoint = endpoint
        self.authentication = authentication
        self.maximumIdleConnections = maximumIdleConnections
    }

    /// Whether every connection of the pool is encrypted: they use TLS or a
    /// sealing SASL layer, and ``LDAPConnection`` refuses to bind otherwise.
    public var isEncrypted: Bool {
        if case .gssapi = authentication { return true }
        return endpoint.url.lowercased().hasPrefix("ldaps://") || endpoint.startTLS
    }

    /// How many connections wait idle now.
    public var idleCount: Int { idle.withLock { $0.count } }

    /// Runs `body` with a connection of the pool.
    public func withConnection<Value: Sendable>(
        _ body: (LDAPConnection) async throws(LDAPResultError) -> Value
    ) async throws(LDAPResultError) -> Value {
        let reused = idle.withLock { $0.popLast() }
        let connection: LDAPConnection
        if let reused {
            connection = reused
        } else {
            connection = try await LDAPConnection.connect(to: endpoint, authentication: authentication)
        }
        do {
            let value = try await body(connection)
            checkIn(connection)
            return value
        } catch let error where reused != nil && error.code == LDAP_SERVER_DOWN {
            idle.withLock { $0.removeAll() }
            let fresh = try await LDAPConnection.connect(to: endpoint, authentication: authentication)
            do {
                let value = try await body(fresh)
                checkIn(fresh)
                return value
            } catch {
                checkIn(fresh)
                throw error
            }
        } catch {
            checkIn(connection)
            throw error
        }
    }

    /// Closes every idle connection.
    public func closeIdleConnections() {
        idle.withLock { $0.removeAll() }
    }

    private func checkIn(_ connection: LDAPConnection) {
        guard !connection.isBroken else { return }
        idle.withLock { connections in
            if connections.count < maximumIdleConnections { connections.append(connection) }
        }
    }

    /// Adds an entry over a pooled connection.
    public func add(dn: String, attributes: [(String, [LDAPValue])]) async throws(LDAPResultError) {
        try await withConnection { connection throws(LDAPResultError) in
            try await connection.add(dn: dn, attributes: attributes)
        }
    }

    /// Modifies an entry over a pooled connection.
    public func modify(dn: String, _ modifications: [LDAPModification]) async throws(LDAPResultError) {
        try await withConnection { connection throws(LDAPResultError) in
            try await connection.modify(dn: dn, modifications)
        }
    }

    /// Deletes an entry over a pooled connection.
    public func delete(dn: String) async throws(LDAPResultError) {
        try await withConnection { connection throws(LDAPResultError) in try await connection.delete(dn: dn) }
    }

    /// Searches over a pooled connection.
    public func search(base: String, scope: LDAPScope, filter: String, attributes: [String])
        async throws(LDAPResultError)
        -> [LDAPEntry]
    {
        try await withConnection { connection throws(LDAPResultError) in
            try await connection.search(base: base, scope: scope, filter: filter, attributes: attributes)
        }
    }

    /// RFC 3062 Password Modify over a pooled connection (`old` nil for a reset).
    public func passwordModify(dn: String, old: GuardedString?, new: GuardedString) async throws(LDAPResultError) {
        try await withConnection { connection throws(LDAPResultError) in
            try await connection.passwordModify(dn: dn, old: old, new: new)
        }
    }
}
