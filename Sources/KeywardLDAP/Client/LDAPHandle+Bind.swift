import CLDAP
import KeywardCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LDAPHandle {
    /// A simple bind as `dn` with `password`, with the ppolicy control.
    /// The caller has checked that the connection is encrypted.
    func simpleBind(dn: String, password: GuardedString) throws(LDAPResultError) {
        let context = "bind as \(dn)"
        try LDAPRequestMemory.with { memory throws(LDAPResultError) in
            let credentials = memory.berval(.secret(password))
            try perform(context) { messageID in
                ldap_sasl_bind(pointer, dn, nil, credentials, serverControls, nil, messageID)
            }
        }
    }

    /// A SASL GSSAPI bind with a security layer of at least 56 bits
    /// (sealing), host names used as given (SASL_NOCANON).
    ///
    /// The Kerberos credentials come from the environment variables
    /// ``LDAPKerberosEnvironment`` sets for the length of the bind.
    func gssapiBind(keytab: String?, credentialCache: String?) throws(LDAPResultError) {
        let context = "SASL GSSAPI bind to \(url)"
        try LDAPRequestMemory.with { memory throws(LDAPResultError) in
            try set(LDAP_OPT_X_SASL_SECPROPS, memory.cString("minssf=56"), context)
        }
        var on: Int32 = 1
        try set(LDAP_OPT_X_SASL_NOCANON, &on, context)
        let code = LDAPKerberosEnvironment.withCredentials(keytab: keytab, credentialCache: credentialCache) {
            ldap_sasl_interactive_bind_s(
                pointer, nil, "GSSAPI", serverControls, nil, LDAP_SASL_QUIET, keywardSASLInteract, nil)
        }
        guard code == LDAP_SUCCESS else { throw failure(code, context) }
    }
}

/// Answers Cyrus SASL's prompts during a GSSAPI bind: every prompt (only the
/// authorization identity, for GSSAPI) gets its default, else the empty
/// string. Nothing secret passes here: the Kerberos keys come from the
/// keytab or credential cache.
private func keywardSASLInteract(
    _ handle: OpaquePointer?, _ flags: UInt32, _ defaults: UnsafeMutableRawPointer?,
    _ interactions: UnsafeMutableRawPointer?
) -> Int32 {
    guard var interaction = interactions?.assumingMemoryBound(to: sasl_interact_t.self) else { return LDAP_SUCCESS }
    let empty = UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    while interaction.pointee.id != UInt(SASL_CB_LIST_END) {
        let answer = interaction.pointee.defresult ?? empty
        interaction.pointee.result = UnsafeRawPointer(answer)
        interaction.pointee.len = UInt32(strlen(answer))
        interaction += 1
    }
    return LDAP_SUCCESS
}
