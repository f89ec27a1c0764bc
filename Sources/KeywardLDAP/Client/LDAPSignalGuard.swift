// `struct timespec` belongs to CDispatch's module map on Linux, so
// MemberImportVisibility wants that module imported to build one.
#if canImport(CDispatch)
import CDispatch
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps libldap's writes from killing the process with SIGPIPE.
///
/// libldap (and OpenSSL under it) writes to its socket with plain `write`,
/// so a write to a connection the server has closed raises SIGPIPE, whose
/// default action ends the process. Instead of ignoring SIGPIPE for the
/// whole process, every libldap call runs with SIGPIPE blocked on its own
/// thread; a SIGPIPE it raised is consumed before the mask is restored,
/// and the write itself fails with EPIPE, which libldap reports as -1
/// (server down).
enum LDAPSignalGuard {
    /// Runs `body` with SIGPIPE blocked on the current thread.
    static func run<Value, Failure: Error>(_ body: () throws(Failure) -> Value) throws(Failure) -> Value {
        var pipe = sigset_t()
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipe, &previous)
        defer {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 && sigismember(&previous, SIGPIPE) == 0 {
                var immediately = timespec()
                _ = sigtimedwait(&pipe, nil, &immediately)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }
}
