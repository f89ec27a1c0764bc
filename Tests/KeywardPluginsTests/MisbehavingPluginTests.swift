import Foundation
import KeywardConnectors
import KeywardCore
import KeywardPlugins
import KeywardTestSupport
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Plugins that crash, hang, speak garbage, flood, answer out of order,
/// echo secrets or speak another protocol version: each gives a clear
/// structured error, and the connector serves the next request with a
/// fresh process.
@Suite("Misbehaving plugins", .offThePool)
struct MisbehavingPluginTests {
    let folder: PluginFolder
    let connector: ExternalConnector
    let logs: LogCapture

    /// Long enough that a loaded machine answers every test but the hang in
    /// time (the flood's 1 MiB took over 5 s once, with 12 tests running).
    static let timeout = 20

    init() throws {
        let logs = LogCapture()
        self.logs = logs
        folder = try PluginFolder()
        let definition = PluginFolder.definition(
            "shop", command: try folder.misbehavingCommand(),
            ["poolSize": .plain("1"), "timeoutSeconds": .plain("\(Self.timeout)")])
        connector = try ExternalConnector(
            definition: definition, environment: folder.environment(),
            logger: Logger(label: "keyward.plugins.test") { _ in CapturingLogHandler(capture: logs) })
    }

    /// The process id the plugin reports, through a whole request.
    func pluginPID() async throws -> Int {
        let account = try await connector.get(uid: "pid")
        return try #require(Int(account.attributes["pid"] ?? ""))
    }

    /// Whether `pid` is gone: killed and reaped.
    static func isGone(_ pid: Int) -> Bool {
        kill(pid_t(pid), 0) == -1 && errno == ESRCH
    }

    /// `uid`'s `get` fails with `kind`; the process that served it is gone,
    /// and a new one serves the next request. Returns the error.
    func expectFailure(
        _ uid: String, _ kind: ConnectorError.Kind, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws -> ConnectorError {
        let before = try await pluginPID()
        let error = try #require(await connectorError { _ = try await connector.get(uid: uid) }, sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.hasPrefix("system 'shop': "), sourceLocation: sourceLocation)
        #expect(Self.isGone(before), "the misbehaving process was stopped", sourceLocation: sourceLocation)
        let after = try await pluginPID()
        #expect(after != before, "a fresh process serves the next request", sourceLocation: sourceLocation)
        #expect(await connector.pool.processIDs() == [Int32(after)], sourceLocation: sourceLocation)
        return error
    }

    @Test("a crash mid-operation: unreachable (transient), with the exit status and the stderr size")
    func crash() async throws {
        let error = try await expectFailure("crash", .unreachable)
        #expect(error.isTransient)
        #expect(error.message.contains("exited with status 3 during get"), "\(error)")
        #expect(error.message.contains("stderr: 0 bytes, never shown"))
    }

    @Test("a hang past the timeout: killed, timed out (transient)")
    func hang() async throws {
        let error = try await expectFailure("hang", .timedOut)
        #expect(error.isTransient)
        #expect(error.message.contains("did not answer get within \(Self.timeout) s"), "\(error)")
        #expect(error.message.contains("it was killed"))
    }

    @Test("a line that is not JSON: a protocol error that does not repeat the line")
    func garbage() async throws {
        let error = try await expectFailure("garbage", .protocolError)
        #expect(error.message.contains("is not a JSON object (23 bytes, not shown)"), "\(error)")
        #expect(!error.message.contains("this is not JSON"))
    }

    @Test("a 10 MiB line: a protocol error after at most 1 MiB and one read")
    func flood() async throws {
        let error = try await expectFailure("flood", .protocolError)
        #expect(error.message.contains("longer than 1 MiB"), "\(error)")
    }

    @Test("an answer with the wrong id: a protocol error")
    func wrongID() async throws {
        let error = try await expectFailure("wrong-id", .protocolError)
        #expect(error.message.contains("with id"), "\(error)")
        #expect(error.message.contains("answers must come in order"))
    }

    @Test("an answer that echoes the secret, raw or escaped: a protocol error without the secret", arguments: ["echo", "echo-escaped"])
    func echo(_ uid: String) async throws {
        let canary = Canary.password + "-ü€-\"q\\"
        let error = try #require(await connectorError {
            try await connector.create(uid: uid, attributes: [.password(canary)], options: PasswordOptions())
        })
        #expect(error.kind == .protocolError)
        #expect(error.message.contains("contained a secret Keyward had sent it (not shown)"), "\(error)")
        #expect(!"\(error)".contains(Canary.password))
        #expect(try await pluginPID() > 0, "a fresh process serves the next request")
        #expect(!logs.lines.joined().contains(Canary.password))
    }

    @Test("output between two requests: the process is replaced before the next request")
    func unsolicited() async throws {
        let before = try await pluginPID()
        _ = try await connector.get(uid: "unsolicited")
        // The plugin writes its extra line just after its answer; on a loaded
        // machine it can come after the next request has gone out, which is
        // then a protocol error (the other outcome of the same misbehaviour).
        // This test is about the line that came first, so it lets it come.
        try await Task.sleep(for: .seconds(2))
        let after = try await pluginPID()
        #expect(after != before)
        #expect(logs.lines.contains { $0.contains("wrote output between requests") }, "\(logs.lines)")
    }

    @Test("a secret written to stderr is counted, never logged or reported")
    func stderr() async throws {
        try await connector.create(uid: "stderr", attributes: [.password(Canary.password)], options: PasswordOptions())
        let error = try #require(await connectorError { _ = try await connector.get(uid: "crash") })
        let bytes = "debug: the password is \(Canary.password)\n".utf8.count
        #expect(error.message.contains("stderr: \(bytes) bytes, never shown"), "\(error)")
        #expect(!"\(error)".contains(Canary.password))
        #expect(!logs.lines.isEmpty)
        #expect(!logs.lines.joined(separator: "\n").contains(Canary.password))
    }

    @Test("another protocol version: a configuration error naming both versions, at every request")
    func futureProtocol() async throws {
        try folder.writeProgram("future.sh", TestPlugins.futureProtocol)
        let connector = try folder.connector(PluginFolder.definition("future", command: "./future.sh"))
        for _ in 0..<2 {
            let error = try #require(await connectorError { _ = try await connector.get(uid: "jdoe") })
            #expect(error.kind == .configuration)
            #expect(error.message.contains("speaks protocol version 2, this Keyward speaks version 1"), "\(error)")
        }
        #expect(await connector.pool.processIDs().isEmpty, "no process kept")
        #expect(connector.capabilities == Set(PasswordOperation.allCases), "nothing declared yet: the operations setting")
    }

    @Test("a refused hello carries the plugin's message")
    func refusedHello() async throws {
        try folder.writeProgram("refusing.sh", TestPlugins.refusing)
        let connector = try folder.connector(PluginFolder.definition("refusing", command: "./refusing.sh"))
        let error = try #require(await connectorError { try await connector.test() })
        #expect(error.kind == .configuration)
        #expect(error.message == "system 'refusing': the plugin refused to start: no database configured")
    }

    @Test("a program that cannot start: a configuration error with the system's reason")
    func cannotStart() async throws {
        let path = try folder.writeProgram("broken.sh", "#!/nonexistent/interpreter\n")
        let connector = try folder.connector(PluginFolder.definition("broken", command: "./broken.sh"))
        let error = try #require(await connectorError { try await connector.test() })
        #expect(error.kind == .configuration)
        #expect(error.message == "system 'broken': cannot start the plugin: \(path): No such file or directory")
    }
}
