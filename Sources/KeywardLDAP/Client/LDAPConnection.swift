import CLDAP
import Dispatch
public import KeywardCore
import Synchronization

/// An authenticated connection to a directory through OpenLDAP's libldap.
///
/// ``connect(to:authentication:)`` verifies the server's certificate and
/// host name against ``LDAPEndpoint/caCertificate`` (unless
/// ``LDAPEndpoint/tlsVerify`` is false), upgrades `ldap://` with StartTLS
/// when asked, and binds. A password never leaves over a connection that is
/// not encrypted: a simple bind on plain `ldap://` without StartTLS, and any
/// request carrying an ``LDAPValue/secret`` on a connection that is not
/// ``isEncrypted``, fail with LDAP code 13 (confidentialityRequired) before
/// anything is sent.
///
/// libldap blocks, so every call runs on the connection's own serial
/// dispatch queue (one at a time, outside Swift's cooperative pool) and
/// resumes the caller when done. Every operation waits at most
/// ``LDAPEndpoint/timeoutSeconds`` and then fails with -5 (timeout).
public final class LDAPConnection: LDAPSession {
    private let handle: LDAPHandle
    private let queue: DispatchQueue
    private let broken = Atomic(false)

    /// Whether TLS is established (`ldaps://` or StartTLS) or the SASL
    /// security layer has a strength above 0.
    public let isEncrypted: Bool

    /// The endpoint this connection was made to.
    public let endpoint: LDAPEndpoint

    private init(handle: LDAPHandle, queue: DispatchQueue, isEncrypted: Bool, endpoint: LDAPEndpoint) {
        self.handle = handle
        self.queue = queue
        self.isEncrypted = isEncrypted
        self.endpoint = endpoint
    }

    deinit {
        // The unbind writes to the socket: on the connection's queue, not
        // on whichever (possibly cooperative) thread let go last.
        queue.async { [handle] in handle.close() }
    }

    /// Connects to `endpoint` and binds with `authentication`.
    /// - Throws: 13 when a simple bind would go over a connection that is not
    ///   encrypted (nothing is sent); -1/-11 when the server cannot be
    ///   reached or its certificate is not trusted; the bind's result (49
    ///   invalid credentials, with the ppolicy error when the server sent one).
    public static func connect(to endpoint: LDAPEndpoint, authentication: LDAPAuthentication)
        async throws(LDAPResultError)
        -> LDAPConnection
    {
        let queue = DispatchQueue(label: "keyward.ldap.connection")
        let opened = await run(on: queue) { () throws(LDAPResultError) in
            try open(endpoint, authentication)
        }
        let (handle, isEncrypted) = try opened.get()
        return LDAPConnection(handle: handle, queue: queue, isEncrypted: isEncrypted, endpoint: endpoint)
    }

    /// Whether libldap reported the server down (-1) on this connection: it
    /// cannot be used again.
    public var isBroken: Bool { broken.load(ordering: .relaxed) }

    /// Adds an entry; secret values are refused (13) unless the connection is encrypted.
    public func add(dn: String, attributes: [(String, [LDAPValue])]) async throws(LDAPResultError) {
        try refuseSecrets(in: attributes.flatMap(\.1), context: "add \(dn)")
        try await perform { handle throws(LDAPResultError) in try handle.add(dn: dn, attributes: attributes) }
    }

    /// Modifies an entry in one request; secret values are refused (13) unless the connection is encrypted.
    public func modify(dn: String, _ modifications: [LDAPModification]) async throws(LDAPResultError) {
        try refuseSecrets(in: modifications.flatMap(\.values), context: "modify \(dn)")
        try await perform { handle throws(LDAPResultError) in try handle.modify(dn: dn, modifications) }
    }

    /// Deletes an entry.
    public func delete(dn: String) async throws(LDAPResultError) {
        try await perform { handle throws(LDAPResultError) in try handle.delete(dn: dn) }
    }

    /// Searches; every value is read as UTF-8 text.
    public func search(base: String, scope: LDAPScope, filter: String, attributes: [String])
        async throws(LDAPResultError)
        -> [LDAPEntry]
    {
        try await perform { handle throws(LDAPResultError) in
            try handle.search(base: base, scope: scope, filter: filter, attributes: attributes)
        }
    }

    /// RFC 3062 Password Modify (`old` nil for a reset); refused (13) unless the connection is encrypted.
    public func passwordModify(dn: String, old: GuardedString?, new: GuardedString) async throws(LDAPResultError) {
        try refuseSecrets(in: [.secret(new)], context: "password modify of \(dn)")
        try await perform { handle throws(LDAPResultError) in try handle.passwordModify(dn: dn, old: old, new: new) }
    }

    /// Throws 13 when `values` hold a secret and the connection is not encrypted.
    private func refuseSecrets(in values: [LDAPValue], context: String) throws(LDAPResultError) {
        guard !isEncrypted else { return }
        let hasSecret = values.contains { if case .secret = $0 { true } else { false } }
        if hasSecret { throw Self.cleartextRefusal(context) }
    }

    /// Runs `body` with the handle on the connection's queue; marks the
    /// connection broken when the server went away.
    private func perform<Value: Sendable>(_ body: @escaping @Sendable (LDAPHandle) throws(LDAPResultError) -> Value)
        async throws(LDAPResultError) -> Value
    {
        let handle = handle
        let result = await Self.run(on: queue) { () throws(LDAPResultError) in try body(handle) }
        if case .failure(let error) = result, error.code == LDAP_SERVER_DOWN {
            broken.store(true, ordering: .relaxed)
        }
        return try result.get()
    }

    /// Runs a blocking `body` on `queue` and resumes with its result.
    private static func run<Value: Sendable>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws(LDAPResultError) -> Value
    ) async -> Result<Value, LDAPResultError> {
        await withCheckedContinuation { continuation in
            queue.async {
                let result = LDAPSignalGuard.run { Result { () throws(LDAPResultError) in try body() } }
                continuation.resume(returning: result)
            }
        }
    }

    /// Makes the handle, checks that a password will not go in the clear,
    /// connects, runs StartTLS and binds.
    private static func open(_ endpoint: LDAPEndpoint, _ authentication: LDAPAuthentication) throws(LDAPResultError)
        -> (LDAPHandle, Bool)
    {
        let usesTLS = endpoint.url.lowercased().hasPrefix("ldaps://") || endpoint.startTLS
        if case .simple(let dn, _) = authentication, !usesTLS {
            throw cleartextRefusal("bind as \(dn) to \(endpoint.url)")
        }
        let handle = try LDAPHandle.make(endpoint)
        try handle.connect()
        if endpoint.startTLS && !handle.hasTLS { try handle.startTLS() }

        switch authentication {
        case .simple(let dn, let password):
            guard handle.hasTLS else { throw cleartextRefusal("bind as \(dn) to \(endpoint.url)") }
            try handle.simpleBind(dn: dn, password: password)
        case .gssapi(_, let keytab, let credentialCache):
            try handle.gssapiBind(keytab: keytab, credentialCache: credentialCache)
        }
        let isEncrypted = handle.hasTLS || handle.saslStrength > 0
        guard isEncrypted else {
            throw LDAPResultError(
                code: LDAP_CONFIDENTIALITY_REQUIRED,
                diagnostic: "the SASL bind negotiated no security layer", context: "bind to \(endpoint.url)")
        }
        return (handle, isEncrypted)
    }

    /// The error for a password that would travel unencrypted.
    static func cleartextRefusal(_ context: String) -> LDAPResultError {
        LDAPResultError(
            code: LDAP_CONFIDENTIALITY_REQUIRED,
            diagnostic: "Keyward does not send a password over a connection that is not encrypted; "
                + "use ldaps:// or StartTLS",
            context: context)
    }
}
