import Foundation
import Testing
import KeywardConnectors
import KeywardCore
import KeywardPlugins

/// A temporary folder that plays `keyward.yaml`'s folder: the test writes
/// plugins into it and makes `external` systems that run them. Removed
/// when released.
final class PluginFolder {
    let url: URL

    static let location = SourceLocation(file: "connectors/plugin.yaml", line: 3, column: 1)

    /// The repository's example plugin.
    static let examplePlugin = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("connectors/plugins/accounts.py").path

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    var path: String { url.path }

    /// Writes an executable file `name`.
    @discardableResult
    func writeProgram(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        return file.path
    }

    /// The misbehaving plugin, written as `misbehaving.py`, its markers in
    /// this folder. Debian's Python runs it directly: quick to start, and no
    /// version manager's shim adds variables to its environment.
    func misbehavingCommand() throws -> String {
        try writeProgram("misbehaving.py", TestPlugins.misbehaving)
        return "/usr/bin/python3 '\(path)/misbehaving.py' '\(path)'"
    }

    /// The example plugin's words on `accounts.db` in this folder (cheap hashes: 1000 iterations).
    func exampleWords(maxFailures: Int = 3) -> [String] {
        [Self.examplePlugin, "--database", path + "/accounts.db", "--iterations", "1000", "--max-failures", String(maxFailures)]
    }

    /// ``exampleWords(maxFailures:)`` as a `command` setting.
    func exampleCommand(maxFailures: Int = 3) -> String {
        exampleWords(maxFailures: maxFailures).map { "'\($0)'" }.joined(separator: " ")
    }

    /// The `external` system `name` on `command`, with `connection` added.
    static func definition(
        _ name: String = "plugin", command: String, _ connection: [String: ConnectionValue] = [:]
    ) -> ConnectorDefinition {
        var settings: [String: ConnectionValue] = ["command": .plain(command)]
        settings.merge(connection) { _, given in given }
        return ConnectorDefinition(name: name, type: "external", connection: settings, attributes: mapping, location: location)
    }

    static let mapping: [AttributeMapping] = [
        AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: location),
        AttributeMapping(name: "mail", source: .identity("email"), location: location),
        AttributeMapping(name: "givenName", source: .identity("givenName"), location: location),
        AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
    ]

    /// The environment of a system in this folder; `secrets` answer secret settings by key.
    func environment(secrets: [String: String] = [:]) -> ConnectorEnvironment {
        ConnectorEnvironment(directory: path) { key in secrets[key].map { GuardedString($0) } }
    }

    /// A connector for `definition` in this folder.
    func connector(_ definition: ConnectorDefinition, secrets: [String: String] = [:]) throws -> ExternalConnector {
        try ExternalConnector(definition: definition, environment: environment(secrets: secrets))
    }
}

extension ConnectorAttribute {
    /// `__PASSWORD__` with `secret`.
    static func password(_ secret: String) -> ConnectorAttribute {
        ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(GuardedString(secret)))
    }
}

/// Runs `body` and returns the connector error it threw; nil when it succeeded.
func connectorError(_ body: () async throws -> Void) async -> ConnectorError? {
    do {
        try await body()
        return nil
    } catch let error as ConnectorError {
        return error
    } catch {
        Issue.record("not a connector error: \(error)")
        return nil
    }
}
