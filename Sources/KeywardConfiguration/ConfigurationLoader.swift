import Foundation
public import KeywardCore

/// Loads `keyward.yaml` and every connector file beside it, checks the
/// scripts they reference and the policies they pair, and reports every
/// problem at once.
///
/// ```swift
/// let result = try ConfigurationLoader(path: "keyward.yaml").load()
/// for problem in result.errors + result.warnings { print(problem) }   // file:line:col: error: …
/// ```
///
/// Connector files are `CONNECTORS/*.yaml`, where `CONNECTORS` is
/// `connectorsDirectory:` (default `connectors`, relative to
/// `keyward.yaml`'s folder). `*.yaml.example` files are templates and are
/// loaded only with ``includeExamples``, and then only those without an
/// enabled copy (`NAME.yaml`) beside them.
public struct ConfigurationLoader: Sendable {
    /// The path of `keyward.yaml`.
    public var path: String
    /// Whether `*.yaml.example` connector files are loaded too (to check the
    /// shipped examples); a template with a `NAME.yaml` copy beside it is not.
    public var includeExamples: Bool
    /// The registered connector types.
    public var types: [ConnectorType]

    /// Creates a loader.
    public init(path: String = "keyward.yaml", includeExamples: Bool = false, types: [ConnectorType] = ConnectorType.builtIn) {
        self.path = path
        self.includeExamples = includeExamples
        self.types = types
    }

    /// Loads and checks everything.
    ///
    /// - Returns: The configuration (connectors with errors left out) and
    ///   every error and warning found.
    /// - Throws: ``ConfigurationError`` (code `unreadable`) only when
    ///   `keyward.yaml` itself cannot be read; every other problem is in the result.
    public func load() throws(ConfigurationError) -> ConfigurationLoadResult {
        let source = try YAMLSource.read(path)
        let directory = ConfigurationPaths.folder(of: path)
        let diagnostics = Diagnostics()
        var settings = Settings()
        if let root = source.compose(diagnostics, emptyHint: "keyward.yaml needs at least `version: \(KeywardConfiguration.currentVersion)`") {
            settings = SettingsDecoder(diagnostics: diagnostics, directory: directory).decode(root)
        } else {
            settings.policyNames = nil
        }
        let connectorsFolder = ConfigurationPaths.join(directory, settings.connectorsDirectory?.path ?? "connectors")
        let files = connectorFiles(in: connectorsFolder, settings: settings, diagnostics)
        let decoder = ConnectorDecoder(diagnostics: diagnostics, policyNames: settings.policyNames, directory: directory, types: types)
        var decoded: [DecodedConnector] = []
        for file in files {
            let source: YAMLSource
            do throws(ConfigurationError) {
                source = try YAMLSource.read(file.path)
            } catch {
                diagnostics.record(error)
                continue
            }
            guard let root = source.compose(diagnostics, emptyHint: "a connector file needs at least `type:` and `mapping:`") else { continue }
            decoded.append(decoder.decode(root, defaultName: file.systemName))
        }
        checkDuplicateNames(decoded, diagnostics)
        let checks = ConfigurationChecks(diagnostics: diagnostics, directory: directory, settings: settings)
        let scripts = checks.checkScripts(decoded)
        checks.checkFeasibility(decoded)

        let configuration = KeywardConfiguration(
            file: path,
            directory: directory,
            version: settings.version,
            store: settings.store,
            keyFile: settings.keyFile,
            connectorsDirectory: connectorsFolder,
            limits: settings.limits,
            defaultPolicies: settings.defaults,
            policies: settings.policies,
            connectors: decoded.compactMap(\.definition),
            mail: settings.mail,
            notifications: Dictionary(
                decoded.compactMap { connector in
                    connector.definition == nil ? nil : connector.notifications.map { (connector.name, $0) }
                }, uniquingKeysWith: { first, _ in first }))
        return ConfigurationLoadResult(
            configuration: configuration,
            errors: diagnostics.errors,
            warnings: diagnostics.warnings,
            connectorFiles: files.map(\.path),
            scripts: scripts)
    }

    /// One connector file found.
    struct ConnectorFile {
        let path: String
        /// The file name without `.yaml` (or `.yaml.example`).
        let systemName: String
    }

    private func connectorFiles(in folder: String, settings: Settings, _ diagnostics: Diagnostics) -> [ConnectorFile] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            if let given = settings.connectorsDirectory {
                diagnostics.error(
                    .fileNotFound, "`connectorsDirectory` `\(given.path)` is not a folder (it is relative to the folder of keyward.yaml)",
                    at: given.location)
            } else {
                diagnostics.warning(
                    .fileNotFound, "there is no `connectors` folder beside keyward.yaml, so no target system is configured",
                    at: SourceLocation(file: path, line: 1, column: 1))
            }
            return []
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var files: [ConnectorFile] = []
        for name in names where !name.hasPrefix(".") {
            let filePath = ConfigurationPaths.join(folder, name)
            if name.hasSuffix(".yaml"), name.count > 5 {
                files.append(ConnectorFile(path: filePath, systemName: String(name.dropLast(5))))
            } else if includeExamples, name.hasSuffix(".yaml.example"), name.count > 13,
                !names.contains(String(name.dropLast(".example".count)))
            {
                // A template whose enabled copy (`NAME.yaml`) is beside it is
                // not loaded: the copy stands for it.
                files.append(ConnectorFile(path: filePath, systemName: String(name.dropLast(13))))
            } else if name.hasSuffix(".yml") {
                diagnostics.warning(
                    .unknownKey, "not loaded: connector files end in `.yaml`; rename it to `\(name.dropLast(4)).yaml`",
                    at: SourceLocation(file: filePath, line: 1, column: 1))
            }
        }
        return files
    }

    private func checkDuplicateNames(_ connectors: [DecodedConnector], _ diagnostics: Diagnostics) {
        var first: [String: SourceLocation] = [:]
        for connector in connectors {
            if let earlier = first[connector.name] {
                diagnostics.error(
                    .duplicateName,
                    "system name `\(connector.name)` is already used by \(earlier); each system needs its own name "
                        + "(the file name, unless `name:` says otherwise)",
                    at: connector.nameLocation)
            } else {
                first[connector.name] = connector.nameLocation
            }
        }
    }
}

/// What ``ConfigurationLoader/load()`` found.
public struct ConfigurationLoadResult: Sendable {
    /// The configuration; connectors with errors are left out of it.
    public var configuration: KeywardConfiguration
    /// Every error, in the order found (keyward.yaml, then each connector
    /// file in name order, then the scripts, then the policy pairs).
    public var errors: [ConfigurationError]
    /// Every warning (script findings of warning level, files not loaded, …).
    public var warnings: [ConfigurationError]
    /// The connector files read, in order.
    public var connectorFiles: [String]
    /// The scripts the security checker read, in order.
    public var scripts: [String]

    /// Whether the configuration can be used: no errors.
    public var isValid: Bool { errors.isEmpty }
}
