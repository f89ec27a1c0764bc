import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a GSSAPI bind finds its Kerberos credentials.
///
/// MIT Kerberos reads them from two **process-wide** environment variables:
/// `KRB5_CLIENT_KTNAME` (the client keytab, from which it gets tickets
/// itself) and `KRB5CCNAME` (the credential cache). There is no per-handle
/// way through libldap and Cyrus SASL, so every GSSAPI bind in the process
/// takes one lock, sets both variables for its credentials, binds, and puts
/// the previous values back. Anything else in the process that uses
/// Kerberos at the same moment sees Keyward's values.
///
/// With a keytab and no credential cache, the cache is an in-memory one
/// named after the keytab (`MEMORY:keyward-…`), so tickets never touch the
/// disk and two keytabs do not share tickets. The principal is the keytab's
/// first one (MIT's rule for client keytabs): give each service its own
/// keytab.
enum LDAPKerberosEnvironment {
    private static let lock = Mutex(())

    /// Runs `bind` with the variables set for `keytab` and `credentialCache`.
    static func withCredentials<Result>(keytab: String?, credentialCache: String?, _ bind: () -> Result) -> Result {
        lock.withLock { _ in
            let previous = (keytab: value("KRB5_CLIENT_KTNAME"), cache: value("KRB5CCNAME"))
            defer {
                restore("KRB5_CLIENT_KTNAME", previous.keytab)
                restore("KRB5CCNAME", previous.cache)
            }
            if let keytab { setenv("KRB5_CLIENT_KTNAME", keytab, 1) }
            if let cache = credentialCache ?? keytab.map(memoryCache(for:)) { setenv("KRB5CCNAME", cache, 1) }
            return bind()
        }
    }

    /// `MEMORY:keyward-<FNV-1a of the keytab path>`.
    static func memoryCache(for keytab: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in keytab.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return "MEMORY:keyward-" + String(hash, radix: 16)
    }

    private static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func restore(_ name: String, _ value: String?) {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }
}
