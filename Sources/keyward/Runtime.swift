import Foundation
import KeywardCloud
import KeywardConfiguration
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardLDAP
import KeywardPlugins
import KeywardPostgres
import KeywardScripting
import KeywardStore
import Logging

/// What the commands that touch the store and the systems share: the
/// configuration, the master key, the store, the systems with their
/// connectors, and the planner.
struct Runtime {
    let configuration: KeywardConfiguration
    let store: any ServingStore
    let systems: [TargetSystem]
    /// Rung by ``service()``'s requests; ``executor(concurrency:level:)``
    /// answers it, so `keyward serve` runs a request at once, not at the next poll.
    let bell = QueueBell()

    /// Loads `keyward.yaml`, refusing a configuration with problems.
    static func loadConfiguration(_ path: String, includeExamples: Bool = false) throws(CommandError) -> KeywardConfiguration {
        let result: ConfigurationLoadResult
        do {
            result = try ConfigurationLoader(path: path, includeExamples: includeExamples).load()
        } catch {
            throw CommandError("\(error)")
        }
        guard result.isValid else {
            for problem in result.errors { Console.err("\(problem)") }
            throw CommandError("\(path) has \(result.errors.count) problem(s); run 'keyward config check' for details")
        }
        return result.configuration
    }

    /// The key file's path, as configured.
    static func keyFile(of configuration: KeywardConfiguration) -> String {
        configuration.path(for: configuration.keyFile)
    }

    /// The keyring: the configured key, and the one `key rotate` replaced
    /// (`KEYFILE.previous`) while values under it may remain.
    static func keyring(for configuration: KeywardConfiguration) throws(CommandError) -> Keyring {
        let file = keyFile(of: configuration)
        do {
            let current = try MasterKey.load(environment: ProcessInfo.processInfo.environment, keyFile: file)
            var previous: [MasterKey] = []
            if FileManager.default.fileExists(atPath: file + ".previous") {
                previous.append(try MasterKey.load(environment: [:], keyFile: file + ".previous"))
            }
            return Keyring(current: current, previous: previous)
        } catch {
            throw CommandError(error.message)
        }
    }

    /// Opens the store `keyward.yaml` names.
    static func openStore(_ configuration: KeywardConfiguration, keyring: Keyring) async throws(CommandError) -> any ServingStore {
        switch configuration.store {
        case .sqlite(let path):
            let file = configuration.path(for: path)
            try createParentFolder(of: file)
            do {
                return try SQLiteStore(path: file, keyring: keyring)
            } catch {
                throw CommandError(error.message)
            }
        case .postgres(let url):
            do {
                return try await PostgresStore.open(
                    url: url, keyring: keyring, environment: ProcessInfo.processInfo.environment, logger: storeLogger)
            } catch {
                throw CommandError("\(configuration.file): \(error.message)")
            }
        }
    }

    /// Ends the store's background work (``ServingStore/close()``).
    func close() async {
        await store.close()
    }

    /// Where a store's own warnings go (a PostgreSQL store's TLS settings).
    static let storeLogger = Logger(label: "keyward.store") { StandardErrorLog(label: $0) }

    /// Creates the folder `file` goes in (mode 0700), if it is missing.
    static func createParentFolder(of file: String) throws(CommandError) {
        let folder = (file as NSString).deletingLastPathComponent
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandError("cannot create the folder \(folder): \(error.localizedDescription)")
        }
    }

    /// Loads everything: configuration, key, store and the enabled systems' connectors.
    static func open(configPath: String) async throws(CommandError) -> Runtime {
        let configuration = try loadConfiguration(configPath)
        let store = try await openStore(configuration, keyring: try keyring(for: configuration))
        var registry = ConnectorRegistry()
        PostgresTableConnector.register(in: &registry, logger: Logger(label: "keyward.sql") { StandardErrorLog(label: $0) })
        LDAPDirectoryConnector.register(in: &registry)
        ActiveDirectoryConnector.register(in: &registry)
        CloudConnectors.register(in: &registry, logger: Logger(label: "keyward.cloud") { StandardErrorLog(label: $0) })
        ExternalConnector.register(in: &registry, logger: Logger(label: "keyward.plugins") { StandardErrorLog(label: $0) })
        var systems: [TargetSystem] = []
        for definition in configuration.connectors where definition.enabled {
            let environment = ConnectorEnvironment(directory: configuration.directory) { key in
                try configuration.secretReference(key, of: definition)?.resolve()
            }
            do {
                let connector = try registry.connector(for: definition, environment: environment)
                for warning in connector.warnings { Console.warning(warning) }
                systems.append(TargetSystem(definition: definition, connector: connector))
            } catch where error.kind == .unsupported {
                // A type without a connector yet: its systems are reported when a request names them.
                continue
            } catch {
                throw CommandError("system '\(definition.name)' (\(definition.location)): \(error.message)")
            }
        }
        return Runtime(configuration: configuration, store: store, systems: systems)
    }

    /// The planner for `systems`: the configured policies and the sandboxed scripts.
    static func planner(for configuration: KeywardConfiguration, systems: [ConnectorDefinition]) throws(CommandError) -> ProvisioningPlanner {
        let engine: ScriptEngine
        do {
            engine = try ScriptEngine()
        } catch {
            throw CommandError("the linked Lua (\(ScriptEngine.luaRelease)) is older than 5.4.4; install liblua5.4 5.4.4 or newer")
        }
        let transformer = ScriptTransformer(
            engine: engine,
            limits: ScriptTransformer.limits(for: systems, base: configuration.limits),
            loader: { path in
                try String(contentsOfFile: configuration.path(for: path), encoding: .utf8)
            })
        let commonPasswords: CommonPasswordList
        do {
            commonPasswords = try configuration.commonPasswords()
        } catch {
            throw CommandError("\(error)")
        }
        let catalog = PolicyCatalog(
            policies: Array(configuration.policies.values),
            defaultGenerate: configuration.defaultPolicies.generate,
            defaultValidate: configuration.defaultPolicies.validate,
            commonPasswords: commonPasswords,
            words: BundledLists.passphraseWords)
        return ProvisioningPlanner(catalog: catalog, transformer: transformer)
    }

    /// The password service, acting for the user running the command.
    func service() throws(CommandError) -> ProvisioningService {
        var service = ProvisioningService(
            store: store, systems: systems,
            planner: try Self.planner(for: configuration, systems: systems.map(\.definition)),
            actor: Self.actor)
        service.bell = bell
        return service
    }

    /// An executor that logs to standard error.
    func executor(concurrency: Int = 4, level: Logger.Level = .notice) -> Executor {
        var logger = Logger(label: "keyward") { label in StandardErrorLog(label: label) }
        logger.logLevel = level
        var executor = Executor(store: store, systems: systems, logger: logger, concurrency: concurrency)
        executor.bell = bell
        return executor
    }

    /// `cli:USER`: who runs the command, for the audit log.
    static var actor: String {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "uid\(getuid())"
        return "cli:\(user)"
    }
}

/// One line per log entry on standard error: `time level message`.
struct StandardErrorLog: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = ISO8601DateFormatter.string(from: Date(), timeZone: .current, formatOptions: [.withInternetDateTime])
        Console.err("\(time) \(event.level) \(event.message)")
    }
}
