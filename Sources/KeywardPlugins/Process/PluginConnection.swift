/// A plugin process that answered its hello: it takes requests one at a
/// time and its answers are checked: the same id, no secret of the
/// request in them, JSON of the right shape.
///
/// Blocking and not thread-safe: its ``PluginSlot``'s queue uses it.
final class PluginConnection {
    /// The process.
    let child: ChildProcess
    /// What it said in its hello.
    let description: PluginDescription
    /// How long one request may take.
    let timeout: Duration
    private var nextID = 1

    private init(child: ChildProcess, description: PluginDescription, timeout: Duration) {
        self.child = child
        self.description = description
        self.timeout = timeout
    }

    /// Starts the plugin and exchanges hellos, within the launch's timeout.
    /// On failure the process is killed.
    static func start(_ launch: PluginLaunch) throws(PluginFailure) -> PluginConnection {
        let child = try ChildProcess.spawn(launch)
        let deadline = ContinuousClock.now + launch.timeout
        do throws(PluginFailure) {
            let hello = WipedBuffer(capacity: 256)
            PluginHello(system: launch.system, settings: launch.settings).encode(into: hello)
            try child.send(hello, by: deadline, limit: launch.timeout)
            let message = try child.readLine(by: deadline, limit: launch.timeout) { line throws(PluginFailure) in
                try JSONValue.object(from: Array(line))
            }
            let description = try PluginDescription(hello: message)
            return PluginConnection(child: child, description: description, timeout: launch.timeout)
        } catch {
            child.killGroup()
            var failure = error
            failure.stderrBytes = child.stderrBytes
            throw failure
        }
    }

    /// Sends `request` and reads its answer. The request line is built in
    /// a wiped buffer and wiped after the write; the answer is searched for
    /// the request's secrets before it is decoded.
    func call(_ request: PluginRequest) throws(PluginFailure) -> PluginReply {
        let id = nextID
        nextID += 1
        let line = WipedBuffer()
        do {
            try request.encode(id: id, into: line)
        } catch {
            throw PluginFailure(reason: .unencodableSecret(attribute: error.attribute))
        }
        let deadline = ContinuousClock.now + timeout
        do throws(PluginFailure) {
            try child.send(line, by: deadline, limit: timeout)
            line.removeAll()
            let secrets = request.secrets
            let answer = try child.readLine(by: deadline, limit: timeout) { bytes throws(PluginFailure) in
                if SecretEchoScanner.finds(secrets, in: bytes) { throw PluginFailure(reason: .echoedSecret) }
                return Array(bytes)
            }
            return try PluginReply.decode(answer, id: id)
        } catch {
            var failure = error
            failure.stderrBytes = child.stderrBytes
            throw failure
        }
    }
}
