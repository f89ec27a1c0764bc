/// Suites that bring a Kerberos realm (slapd's MIT realm, Samba's DC) run one
/// at a time: MIT Kerberos reads one process-wide `KRB5_CONFIG`, and both
/// realms name the service `ldap/localhost`, so two at once would send one
/// suite's tickets to the other's KDC.
actor KerberosSuiteLock {
    static let shared = KerberosSuiteLock()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` while no other realm's suite runs.
    func exclusively(_ body: @Sendable () async throws -> Void) async throws {
        await acquire()
        do {
            try await body()
        } catch {
            release()
            throw error
        }
        release()
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
