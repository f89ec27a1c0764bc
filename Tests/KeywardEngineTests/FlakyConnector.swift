import KeywardConnectors
import KeywardCore
import Synchronization

/// **Failure injection.** Forwards every call to the real connector, except
/// that while armed, calls throw the armed error without reaching it, so the
/// engine sees a transient (or permanent) failure of a real system.
struct FlakyConnector: Connector {
    /// How many calls fail next, and with what.
    final class Faults: Sendable {
        private struct State {
            var remaining = 0
            var error = ConnectorError(.unreachable, "injected: connection refused")
            var calls = 0
        }

        private let state = Mutex(State())

        /// The next `count` calls throw `error`.
        func arm(_ count: Int, with error: ConnectorError = ConnectorError(.unreachable, "injected: connection refused")) {
            state.withLock {
                $0.remaining = count
                $0.error = error
            }
        }

        /// Every call the wrapper received, failed or not.
        var calls: Int { state.withLock { $0.calls } }

        func check() throws(ConnectorError) {
            let error: ConnectorError? = state.withLock { state in
                state.calls += 1
                guard state.remaining > 0 else { return nil }
                state.remaining -= 1
                return state.error
            }
            if let error { throw error }
        }
    }

    let wrapped: any Connector
    let faults: Faults

    var definition: ConnectorDefinition { wrapped.definition }
    var capabilities: Set<PasswordOperation> { wrapped.capabilities }

    func schema() async throws(ConnectorError) -> [AttributeSchema] {
        try faults.check()
        return try await wrapped.schema()
    }

    func test() async throws(ConnectorError) {
        try faults.check()
        try await wrapped.test()
    }

    func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        try faults.check()
        try await wrapped.create(uid: uid, attributes: attributes, options: options)
    }

    func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        try faults.check()
        try await wrapped.update(uid: uid, attributes: attributes, options: options)
    }

    func delete(uid: String) async throws(ConnectorError) {
        try faults.check()
        try await wrapped.delete(uid: uid)
    }

    func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        try faults.check()
        return try await wrapped.get(uid: uid)
    }

    func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute]) async throws(ConnectorError) {
        try faults.check()
        try await wrapped.changePassword(uid: uid, current: current, attributes: attributes)
    }

    func unlock(uid: String) async throws(ConnectorError) {
        try faults.check()
        try await wrapped.unlock(uid: uid)
    }
}
