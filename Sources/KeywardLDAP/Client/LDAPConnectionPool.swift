import CLDAP
public import KeywardCore
import Synchronization

/// A few reusable connections to one endpoint, all bound the same way.
///
/// An operation takes an idle connection (or opens one), runs, and gives it
/// back. At most ``maximumConnections`` are open at once: an operation that
/// finds them all busy waits for one, rather than opening (TLS handshake,
/// bind) and closing a connection of its own each time, which is what more
/// workers than connections would otherwise cost. When a connection that
/// waited in the pool turns out to be dead (libldap -1, server down: the
/// server restarted or an idle timeout closed it), the pool forgets every
/// idle connection, opens a fresh one and runs the operation once more.
public final class LDAPConnectionPool: LDAPSession {
    /// Where the connections go.
    public let endpoint: LDAPEndpoint
    /// How they bind.
    public let authentication: LDAPAuthentication
    /// How many connections are open at most.
    public let maximumConnections: Int

    /// What an operation gets: a connection that waited, or leave to open one.
    private enum Lease {
        case reused(LDAPConnection)
        case fresh
    }

    private struct State {
        var idle: [LDAPConnection] = []
        /// Connections open or being opened, idle or in use.
        var open = 0
        var waiters: [CheckedContinuation<Lease, Never>] = []
    }

    private let state = Mutex(State())

    /// Creates an empty pool; connections open on first use.
    public init(endpoint: LDAPEndpoint, authentication: LDAPAuthentication, maximumConnections: Int = 4) {
        self.endpoint = endpoint
        self.authentication = authentication
        self.maximumConnections = max(1, maximumConnections)
    }

    /// Whether every connection of the pool is encrypted: they use TLS or a
    /// sealing SASL layer, and ``LDAPConnection`` refuses to bind otherwise.
    public var isEncrypted: Bool {
        if case .gssapi = authentication { return true }
        return endpoint.url.lowercased().hasPrefix("ldaps://") || endpoint.startTLS
    }

    /// How many connections wait idle now.
    public var idleCount: Int { state.withLock { $0.idle.count } }

    /// How many connections are open now, idle or in use.
    public var openCount: Int { state.withLock { $0.open } }

    /// Runs `body` with a connection of the pool, waiting for one when
    /// ``maximumConnections`` are in use.
    public func withConnection<Value: Sendable>(
        _ body: (LDAPConnection) async throws(LDAPResultError) -> Value
    ) async throws(LDAPResultError) -> Value {
        let connection: LDAPConnection
        let reused: Bool
        switch await lease() {
        case .reused(let idle):
            (connection, reused) = (idle, true)
        case .fresh:
            connection = try await open()
            reused = false
        }
        do {
            let value = try await body(connection)
            checkIn(connection)
            return value
        } catch let error where reused && error.code == LDAP_SERVER_DOWN {
            // Its slot goes to the fresh connection.
            let stale = state.withLock { state in
                defer { state.idle.removeAll() }
                return state.idle.count
            }
            release(slots: stale)
            let fresh = try await open()
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
        let closed = state.withLock { state in
            defer { state.idle.removeAll() }
            return state.idle.count
        }
        release(slots: closed)
    }

    /// An idle connection, or a slot to open one, or a wait for either.
    private func lease() async -> Lease {
        await withCheckedContinuation { continuation in
            let lease: Lease? = state.withLock { state in
                if let idle = state.idle.popLast() { return .reused(idle) }
                if state.open < maximumConnections {
                    state.open += 1
                    return .fresh
                }
                state.waiters.append(continuation)
                return nil
            }
            if let lease { continuation.resume(returning: lease) }
        }
    }

    /// Opens a connection in a slot already counted; gives the slot back when that fails.
    private func open() async throws(LDAPResultError) -> LDAPConnection {
        do {
            return try await LDAPConnection.connect(to: endpoint, authentication: authentication)
        } catch {
            release(slots: 1)
            throw error
        }
    }

    /// Hands a connection that is not broken to the next waiter, or keeps it idle.
    private func checkIn(_ connection: LDAPConnection) {
        guard !connection.isBroken else {
            release(slots: 1)
            return
        }
        let waiter = state.withLock { state -> CheckedContinuation<Lease, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: .reused(connection))
    }

    /// Gives back slots of connections that are gone: each goes to a waiter, who opens a connection in it.
    private func release(slots: Int) {
        guard slots > 0 else { return }
        let waiters = state.withLock { state in
            state.open -= slots
            let woken = Array(state.waiters.prefix(slots))
            state.waiters.removeFirst(woken.count)
            state.open += woken.count
            return woken
        }
        for waiter in waiters { waiter.resume(returning: .fresh) }
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
