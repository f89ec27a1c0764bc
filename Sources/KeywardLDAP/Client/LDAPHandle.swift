import CLDAP
// `struct timeval`/`timespec` belong to CDispatch's module map on Linux, so
// MemberImportVisibility wants that module imported to build them.
#if canImport(CDispatch)
import CDispatch
#endif
import KeywardCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One libldap handle (`LDAP *`) with its ppolicy request control, called
/// synchronously. Every call blocks, so an ``LDAPConnection`` makes them on
/// its own serial dispatch queue, never on Swift's cooperative pool, and
/// never from two threads at once.
final class LDAPHandle: @unchecked Sendable {
    // @unchecked: used only on its connection's serial queue (and in deinit,
    // which runs when no call can be pending).
    let pointer: OpaquePointer
    /// `[ppolicy request control, NULL]`, sent with every operation.
    let serverControls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>
    /// How long one operation may wait for its result.
    let timeoutSeconds: Int
    /// Where the handle connects, for messages.
    let url: String

    private init(pointer: OpaquePointer, timeoutSeconds: Int, url: String) {
        self.pointer = pointer
        self.timeoutSeconds = timeoutSeconds
        self.url = url
        serverControls = .allocate(capacity: 2)
        serverControls.initialize(repeating: nil, count: 2)
        var control: UnsafeMutablePointer<LDAPControl>?
        if ldap_create_passwordpolicy_control(pointer, &control) == LDAP_SUCCESS, let control {
            control.pointee.ldctl_iscritical = 0
            serverControls[0] = control
        }
    }

    private var isClosed = false

    deinit {
        close()
        if let control = serverControls[0] { ldap_control_free(control) }
        serverControls.deallocate()
    }

    /// Sends an unbind and frees libldap's handle; later calls do nothing.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        LDAPSignalGuard.run { _ = ldap_unbind_ext_s(pointer, nil, nil) }
    }

    /// Makes a handle for `endpoint` with its TLS and timeout options set;
    /// nothing is sent yet.
    static func make(_ endpoint: LDAPEndpoint) throws(LDAPResultError) -> LDAPHandle {
        var pointer: OpaquePointer?
        let code = ldap_initialize(&pointer, endpoint.url)
        guard code == LDAP_SUCCESS, let pointer else {
            throw LDAPResultError(
                code: code, diagnostic: "not a usable LDAP URL", context: "connect to \(endpoint.url)")
        }
        let handle = LDAPHandle(pointer: pointer, timeoutSeconds: endpoint.timeoutSeconds, url: endpoint.url)
        try handle.configure(endpoint)
        return handle
    }

    /// Protocol version, referrals, timeouts, and the TLS context: the CA
    /// file, certificate and host-name verification (DEMAND) unless
    /// `tlsVerify` is false (NEVER), TLS 1.2 at least. NEWCTX comes last so
    /// the handle's own context is built from these options.
    private func configure(_ endpoint: LDAPEndpoint) throws(LDAPResultError) {
        let context = "configure the connection to \(endpoint.url)"
        var version = LDAP_VERSION3
        try set(LDAP_OPT_PROTOCOL_VERSION, &version, context)
        try set(LDAP_OPT_REFERRALS, nil, context)
        var timeout = timeval()
        timeout.tv_sec = endpoint.timeoutSeconds
        try set(LDAP_OPT_NETWORK_TIMEOUT, &timeout, context)
        try set(LDAP_OPT_TIMEOUT, &timeout, context)

        if let caCertificate = endpoint.caCertificate {
            let code = caCertificate.withCString { ldap_set_option(pointer, LDAP_OPT_X_TLS_CACERTFILE, $0) }
            try check(option: LDAP_OPT_X_TLS_CACERTFILE, code, context)
        }
        var requireCertificate = endpoint.tlsVerify ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER
        try set(LDAP_OPT_X_TLS_REQUIRE_CERT, &requireCertificate, context)
        // LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, a macro Swift does not import.
        var minimumProtocol: Int32 = (3 << 8) + 3
        try set(LDAP_OPT_X_TLS_PROTOCOL_MIN, &minimumProtocol, context)
        var isServer: Int32 = 0
        try set(LDAP_OPT_X_TLS_NEWCTX, &isServer, context)
    }

    /// Sets a libldap option on this handle.
    func set(_ option: Int32, _ value: UnsafeRawPointer?, _ context: String) throws(LDAPResultError) {
        try check(option: option, ldap_set_option(pointer, option, value), context)
    }

    private func check(option: Int32, _ code: Int32, _ context: String) throws(LDAPResultError) {
        guard code == LDAP_OPT_SUCCESS else {
            throw LDAPResultError(code: code, diagnostic: "option \(option) was refused", context: context)
        }
    }

    /// Opens the network connection (and, for `ldaps://`, the TLS session).
    func connect() throws(LDAPResultError) {
        let code = ldap_connect(pointer)
        guard code == LDAP_SUCCESS else { throw failure(code, "connect to \(url)") }
    }

    /// Upgrades the connection with StartTLS.
    func startTLS() throws(LDAPResultError) {
        let code = ldap_start_tls_s(pointer, nil, nil)
        guard code == LDAP_SUCCESS else { throw failure(code, "StartTLS with \(url)") }
    }

    /// Whether TLS is established on the connection.
    var hasTLS: Bool { ldap_tls_inplace(pointer) != 0 }

    /// The security strength factor of the SASL security layer (0: none).
    var saslStrength: Int {
        var strength: ber_len_t = 0
        guard ldap_get_option(pointer, LDAP_OPT_X_SASL_SSF, &strength) == LDAP_OPT_SUCCESS else { return 0 }
        return Int(strength)
    }

    /// An error for a libldap call that failed with `code`, with the
    /// handle's diagnostic message.
    func failure(_ code: Int32, _ context: String) -> LDAPResultError {
        LDAPResultError(code: code, diagnostic: diagnostic(), context: context)
    }

    /// The handle's result code after a failed call.
    var resultCode: Int32 {
        var code: Int32 = LDAP_OTHER
        _ = ldap_get_option(pointer, LDAP_OPT_RESULT_CODE, &code)
        return code
    }

    /// `LDAP_OPT_DIAGNOSTIC_MESSAGE`, else libldap's text for the result code.
    func diagnostic() -> String {
        var message: UnsafeMutablePointer<CChar>?
        if ldap_get_option(pointer, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) == LDAP_OPT_SUCCESS, let message {
            defer { ldap_memfree(message) }
            let text = LDAPDiagnostic.clean(String(cString: message))
            if !text.isEmpty { return text }
        }
        return LDAPDiagnostic.clean(String(cString: ldap_err2string(resultCode)))
    }
}

/// Server diagnostics as they go into errors: one line, printable, short.
enum LDAPDiagnostic {
    /// At most 200 printable characters of `text`, on one line.
    static func clean(_ text: String) -> String {
        let printable = text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : String($0) }
            .joined()
        let trimmed = printable.trimmingCharacters(in: " ")
        return trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
