import Foundation
public import KeywardConnectors
public import KeywardCore

/// The settings of an `external` system, read from its definition's
/// `connection` block and checked when the connector is made (before any
/// plugin runs):
///
/// - `command`: the program and its arguments (``CommandWords``); a program
///   with a `/` is relative to `keyward.yaml`'s folder, one without is
///   looked up on the plugin's `PATH`. It must exist and be executable.
/// - `workingDirectory`: the plugin's folder, relative to `keyward.yaml`'s
///   (default: that folder). It must exist.
/// - `timeoutSeconds` (1–3600, default 30), `poolSize` (1–16, default 2),
///   `operations` (a comma-separated subset of the four; default all, and
///   then whatever the plugin declares).
/// - `env.NAME`: the plugin's environment variable `NAME`, plain or a
///   secret reference (read at each start). The plugin gets nothing else of
///   Keyward's environment but `PATH`, `HOME` and `LANG`.
/// - Any other key is the plugin's own: its plain value goes to the plugin
///   in the hello's `settings`; a secret reference there is refused (pass
///   secrets as `env.NAME`).
public struct ExternalSettings: Sendable {
    /// How each plugin process starts.
    public let launch: PluginLaunch
    /// How many processes may run at once.
    public let poolSize: Int
    /// The operations this system may be used for (before the plugin's own declaration).
    public let operations: Set<PasswordOperation>

    /// The keys this connector reads itself.
    static let ownKeys: Set<String> = ["command", "workingDirectory", "timeoutSeconds", "poolSize", "operations"]
    /// The prefix of environment keys.
    static let environmentPrefix = "env."

    /// Reads and checks the settings of `definition`.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system, the
    ///   key and the definition's location.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)
        let plugin = try Self.pluginEnvironment(reader, environment)
        guard let commandLine = try reader.plain("command") else {
            throw reader.error("command", "is required: the plugin's program and its arguments")
        }
        let words: [String]
        do {
            words = try CommandWords.split(commandLine)
        } catch {
            throw reader.error("command", error.message)
        }
        let path = plugin.last { $0.name == "PATH" }.flatMap { entry -> String? in
            if case .plain(let text) = entry.value { text } else { nil }
        }
        let executable: String
        do {
            executable = try ProgramPath.resolve(words[0], relativeTo: environment.directory, searchPath: path)
        } catch {
            let hint = words[0].contains("/") ? "" : " (relative to keyward.yaml's folder), or set env.PATH"
            throw reader.error("command", error.message + hint)
        }
        let directory = try Self.directory(reader, environment)
        let timeout = try reader.integer("timeoutSeconds", in: 1...3600).map { Duration.seconds($0) } ?? PluginProtocol.defaultTimeout
        poolSize = try reader.integer("poolSize", in: 1...16) ?? PluginProtocol.defaultPoolSize
        operations = try Self.operations(reader)
        launch = PluginLaunch(
            executable: executable, arguments: Array(words.dropFirst()), environment: plugin, directory: directory,
            timeout: timeout, system: definition.name, settings: try Self.pluginSettings(reader))
    }

    /// `PATH`, `HOME` and `LANG` from Keyward, then every `env.NAME` (which wins).
    private static func pluginEnvironment(
        _ reader: ConnectionReader, _ environment: ConnectorEnvironment
    ) throws(ConnectorError) -> [(name: String, value: PluginLaunch.Value)] {
        var entries: [(name: String, value: PluginLaunch.Value)] = []
        for key in reader.definition.connection.keys.sorted() where key.hasPrefix(environmentPrefix) {
            let name = String(key.dropFirst(environmentPrefix.count))
            guard isEnvironmentName(name) else {
                throw reader.error(key, "names no environment variable: write env.NAME with NAME letters, digits and _")
            }
            switch reader.definition.connection[key] {
            case .plain(let text)?: entries.append((name, .plain(text)))
            case .environment?, .file?:
                let read = environment.secret
                entries.append((name, .secret { try read(key) }))
            case nil: break
            }
        }
        let configured = Set(entries.map(\.name))
        return PluginLaunch.inheritedEnvironment().filter { !configured.contains($0.name) } + entries
    }

    private static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func directory(_ reader: ConnectionReader, _ environment: ConnectorEnvironment) throws(ConnectorError) -> String? {
        guard let folder = try reader.plain("workingDirectory") else {
            return environment.directory.isEmpty ? nil : ProgramPath.absolute(environment.directory)
        }
        let resolved = ProgramPath.absolute(environment.path(folder))
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), isFolder.boolValue else {
            throw reader.error("workingDirectory", "names \(resolved), which is not a folder")
        }
        return resolved
    }

    private static func operations(_ reader: ConnectionReader) throws(ConnectorError) -> Set<PasswordOperation> {
        guard let text = try reader.plain("operations") else { return Set(PasswordOperation.allCases) }
        var operations: Set<PasswordOperation> = []
        for word in text.split(separator: ",") {
            let name = word.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            guard let operation = PasswordOperation(rawValue: name) else {
                throw reader.error("operations", "lists '\(name)'; the operations are initialize, change, reset and unlock")
            }
            operations.insert(operation)
        }
        if operations.isEmpty { throw reader.error("operations", "lists no operation") }
        return operations
    }

    /// The plugin's own keys: every key that is neither Keyward's nor `env.…`.
    private static func pluginSettings(_ reader: ConnectionReader) throws(ConnectorError) -> [String: String] {
        var settings: [String: String] = [:]
        for (key, value) in reader.definition.connection where !ownKeys.contains(key) && !key.hasPrefix(environmentPrefix) {
            guard case .plain(let text) = value else {
                throw reader.error(
                    key, "is a secret reference, and the plugin's own settings are sent to it in plain text; "
                        + "pass a secret as an environment variable instead: env.NAME: ${env:…} or ${file:…}")
            }
            settings[key] = text
        }
        return settings
    }
}
