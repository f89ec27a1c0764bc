import CBareLDAP
import Dispatch
import Foundation

/// Figure (f)'s baseline: one LDAPS connection through plain libldap, bound
/// once, and Password Modify requests one after another in a C loop
/// (CBareLDAP). Its calls run on its own serial queue, as Keyward's
/// connections do, so the blocking loop never holds a thread of Swift's
/// cooperative pool.
final class BareDirectory: @unchecked Sendable {
    // @unchecked: the connection is used only on `queue`, and freed in deinit
    // when no call can be pending.
    private let connection: OpaquePointer
    private let queue = DispatchQueue(label: "keyward-bench.bare-ldap")

    /// Connects to `url`, trusting `caCertificate`, and binds as `bindDN`.
    init(url: String, caCertificate: String, bindDN: String, password: String) throws {
        var error = [CChar](repeating: 0, count: 256)
        guard let connection = CBareLDAP_open(url, caCertificate, bindDN, password, &error, error.count) else {
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DirectoryBench.Failure("the bare connection to \(url) as \(bindDN) failed: \(message)")
        }
        self.connection = connection
    }

    deinit {
        CBareLDAP_close(connection)
    }

    /// Resets `dns[i]` to `passwords[i]` for every i, in order, and returns
    /// the nanoseconds the C loop took. The C strings are made before the
    /// clock starts.
    /// - Throws: when a reset fails, naming it and its LDAP result code.
    func resetAll(dns: [String], passwords: [String]) async throws -> UInt64 {
        precondition(dns.count == passwords.count, "one password per DN")
        let (done, code, nanoseconds) = await withCheckedContinuation { continuation in
            queue.async { [self] in
                let cDNs = dns.map { UnsafePointer(strdup($0)) }
                let cPasswords = passwords.map { UnsafePointer(strdup($0)) }
                defer {
                    for pointer in cDNs + cPasswords { free(UnsafeMutablePointer(mutating: pointer)) }
                }
                var code: Int32 = 0
                let start = Clock.now()
                let done = CBareLDAP_reset_all(connection, cDNs, cPasswords, dns.count, &code)
                continuation.resume(returning: (done, code, Clock.now() - start))
            }
        }
        guard done == dns.count else {
            throw DirectoryBench.Failure(
                "the bare loop's reset \(done + 1) of \(dns.count) (\(dns[done])) failed with LDAP \(code)")
        }
        return nanoseconds
    }
}
