import Foundation
import KeywardConnectors
import KeywardCore
import KeywardPlugins
import KeywardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `external` connector's settings (checked when it is made), the
/// plugin's environment and folder, capabilities, and the pool.
@Suite("External connector", .offThePool)
struct ExternalConnectorTests {
    let folder: PluginFolder

    init() throws {
        folder = try PluginFolder()
        try folder.writeProgram("misbehaving.py", TestPlugins.misbehaving)
        try Data("not a program".utf8).write(to: folder.url.appendingPathComponent("notes.txt"))
    }

    func settingsError(_ connection: [String: ConnectionValue], command: String = "./misbehaving.py") async -> ConnectorError? {
        await connectorError { _ = try folder.connector(PluginFolder.definition(command: command, connection)) }
    }

    @Test(
        "wrong settings name the system, the file position and the key",
        arguments: [
            ("./missing.py", [:], "connection key 'command' names the program ", "missing.py, which does not exist"),
            ("./notes.txt", [:], "connection key 'command' names the program ", "notes.txt, which is not an executable file (chmod +x?)"),
            ("no-such-plugin-kw", [:], "connection key 'command' names the program 'no-such-plugin-kw', which is not on the plugin's PATH", "or set env.PATH"),
            ("'./misbehaving.py", [:], "connection key 'command' has a ' that is never closed", ""),
            ("./misbehaving.py", ["workingDirectory": .plain("absent")], "connection key 'workingDirectory' names ", "absent, which is not a folder"),
            ("./misbehaving.py", ["timeoutSeconds": .plain("0")], "connection key 'timeoutSeconds' must be a whole number from 1 to 3600", ""),
            ("./misbehaving.py", ["poolSize": .plain("17")], "connection key 'poolSize' must be a whole number from 1 to 16", ""),
            ("./misbehaving.py", ["operations": .plain("reset, teleport")], "connection key 'operations' lists 'teleport'", ""),
            ("./misbehaving.py", ["env.BAD-NAME": .plain("x")], "connection key 'env.BAD-NAME' names no environment variable", ""),
            ("./misbehaving.py", ["apiToken": .environment("TOKEN")], "connection key 'apiToken' is a secret reference", "env.NAME: ${env:…}"),
        ] as [(String, [String: ConnectionValue], String, String)])
    func wrongSettings(_ command: String, _ connection: [String: ConnectionValue], _ start: String, _ end: String) async throws {
        let error = try #require(await settingsError(connection, command: command))
        #expect(error.kind == .configuration)
        #expect(error.message.hasPrefix("system 'plugin' (connectors/plugin.yaml:3:1): " + start), "\(error)")
        #expect(end.isEmpty || error.message.contains(end), "\(error)")
    }

    @Test("command is required")
    func commandRequired() {
        let definition = ConnectorDefinition(
            name: "plugin", type: "external", attributes: PluginFolder.mapping, location: PluginFolder.location)
        #expect(throws: ConnectorError.self) { try folder.connector(definition) }
    }

    @Test("the plugin gets PATH, HOME, LANG and its env.NAME settings, secrets read at start, nothing else")
    func environment() async throws {
        setenv("KW_PLUGIN_TEST_NOT_PASSED", "leak", 1)
        let definition = PluginFolder.definition(
            command: try folder.misbehavingCommand(),
            ["env.PLUGIN_MODE": .plain("test"), "env.PLUGIN_TOKEN": .environment("SOME_VARIABLE")])
        let connector = try folder.connector(definition, secrets: ["env.PLUGIN_TOKEN": "from-the-reference"])
        let environment = try await connector.get(uid: "env").attributes
        let inherited = ["PATH", "HOME", "LANG"].filter { ProcessInfo.processInfo.environment[$0] != nil }
        #expect(Set(environment.keys).subtracting(["PWD", "LC_CTYPE"]) == Set(inherited + ["PLUGIN_MODE", "PLUGIN_TOKEN"]), "\(environment.keys)")
        #expect(environment["PLUGIN_MODE"] == "test")
        #expect(environment["PLUGIN_TOKEN"] == "from-the-reference")
        #expect(environment["PATH"] == ProcessInfo.processInfo.environment["PATH"])
    }

    @Test("the plugin runs in keyward.yaml's folder, or in workingDirectory")
    func workingDirectory() async throws {
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("work"), withIntermediateDirectories: true)
        let command = try folder.misbehavingCommand()
        let plain = try folder.connector(PluginFolder.definition(command: command))
        let moved = try folder.connector(PluginFolder.definition(command: command, ["workingDirectory": .plain("work")]))
        let real = { (path: String) in URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
        #expect(real(try await plain.get(uid: "cwd").attributes["cwd"] ?? "") == real(folder.path))
        #expect(real(try await moved.get(uid: "cwd").attributes["cwd"] ?? "") == real(folder.path + "/work"))
    }

    @Test("the plugin's own settings reach it in the hello (the example's minLength)")
    func pluginSettings() async throws {
        let connector = try folder.connector(
            PluginFolder.definition(command: folder.exampleCommand(), ["minLength": .plain("30")]))
        let error = try #require(await connectorError {
            try await connector.create(uid: "jdoe", attributes: [.password("only-twenty-chars-x")], options: PasswordOptions())
        })
        #expect(error.kind == .policyRejected)
        #expect(error.message == "system 'plugin': create failed: the plugin says: a password needs at least 30 characters")
    }

    @Test("capabilities: the operations setting until the hello, then narrowed to what the plugin declares")
    func capabilities() async throws {
        try folder.writeProgram(
            "reset-only.py",
            """
            #!/usr/bin/env python3
            import json, sys
            sys.stdin.readline()
            print(json.dumps({"type": "hello", "protocol": 1, "name": "reset-only",
                              "capabilities": ["reset"], "operations": ["setPassword"]}), flush=True)
            for line in sys.stdin:
                print(json.dumps({"id": json.loads(line)["id"], "result": {}}), flush=True)
            """)
        let connector = try folder.connector(
            PluginFolder.definition(command: "./reset-only.py", ["operations": .plain("initialize, reset, unlock")]))
        #expect(connector.capabilities == [.initialize, .reset, .unlock])
        try await connector.test()
        #expect(connector.capabilities == [.reset])
        try await connector.update(uid: "jdoe", attributes: [.password("New-Password-1")], options: PasswordOptions())
        let error = try #require(await connectorError {
            try await connector.create(uid: "jdoe", attributes: [], options: PasswordOptions())
        })
        #expect(error.kind == .unsupported)
        #expect(error.message.contains("the plugin reset-only does not offer create (it offers: setPassword)"), "\(error)")
        #expect(try await connector.schema() == connector.definition.schema, "no schema operation: the definition's")
    }

    @Test("the pool reuses one process for a quiet system: the same pid across operations")
    func reuse() async throws {
        let connector = try folder.connector(PluginFolder.definition(command: folder.exampleCommand(), ["poolSize": .plain("2")]))
        try await connector.create(uid: "jdoe", attributes: [.password("First-Password-1")], options: PasswordOptions())
        let first = await connector.pool.processIDs()
        try await connector.update(uid: "jdoe", attributes: [.password("Second-Password-2")], options: PasswordOptions(mustChange: true))
        try await connector.unlock(uid: "jdoe")
        try await connector.changePassword(
            uid: "jdoe", current: GuardedString("Second-Password-2"), attributes: [.password("Third-Password-3")])
        let account = try await connector.get(uid: "jdoe")
        #expect(first.count == 1)
        #expect(await connector.pool.processIDs() == first)
        #expect(account.locked == false && account.mustChange == false)
        #expect(account.attributes[AttributeSchema.passwordName] == nil)
    }

    @Test("each process serves one request at a time: concurrent requests use at most poolSize processes")
    func concurrency() async throws {
        let connector = try folder.connector(PluginFolder.definition(command: try folder.misbehavingCommand(), ["poolSize": .plain("2")]))
        let pids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await connector.get(uid: "pid").attributes["pid"] ?? "" } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect((1...2).contains(pids.count), "\(pids)")
        #expect(await connector.pool.processIDs().count == pids.count)
        let endings = await connector.pool.stop()
        #expect(endings.allSatisfy { $0 == "exited with status 0" }, "stdin closed: the plugins exit on their own: \(endings)")
    }
}
