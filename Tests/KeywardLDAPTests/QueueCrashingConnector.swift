import KeywardConnectors
import KeywardCore

/// A real connector whose every call first passes a ``QueueCrashTrigger``:
/// the calls themselves go, unchanged, to the server.
struct QueueCrashingConnector: Connector {
    let wrapped: any Connector
    let trigger: QueueCrashTrigger

    var definition: ConnectorDefinition { wrapped.definition }
    var capabilities: Set<PasswordOperation> { wrapped.capabilities }

    func schema() async throws(ConnectorError) -> [AttributeSchema] {
        try await passing { () throws(ConnectorError) in try await wrapped.schema() }
    }

    func test() async throws(ConnectorError) {
        try await passing { () throws(ConnectorError) in try await wrapped.test() }
    }

    func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        try await passing { () throws(ConnectorError) in
            try await wrapped.create(uid: uid, attributes: attributes, options: options)
        }
    }

    func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        try await passing { () throws(ConnectorError) in
            try await wrapped.update(uid: uid, attributes: attributes, options: options)
        }
    }

    func delete(uid: String) async throws(ConnectorError) {
        try await passing { () throws(ConnectorError) in try await wrapped.delete(uid: uid) }
    }

    func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        try await passing { () throws(ConnectorError) in try await wrapped.get(uid: uid) }
    }

    func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute])
        async throws(ConnectorError)
    {
        try await passing { () throws(ConnectorError) in
            try await wrapped.changePassword(uid: uid, current: current, attributes: attributes)
        }
    }

    func unlock(uid: String) async throws(ConnectorError) {
        try await passing { () throws(ConnectorError) in try await wrapped.unlock(uid: uid) }
    }

    /// Runs `call` between the trigger's enter and leave.
    private func passing<Value>(_ call: () async throws(ConnectorError) -> Value) async throws(ConnectorError) -> Value
    {
        let beforeCrash = await trigger.enter()
        do {
            let value = try await call()
            await trigger.leave(beforeCrash)
            return value
        } catch {
            await trigger.leave(beforeCrash)
            throw error
        }
    }
}
