#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public import KeywardCore

/// How to start one plugin process: the program, its arguments, its
/// environment and folder, the time it has to answer, and the hello it gets.
public struct PluginLaunch: Sendable {
    /// A value of the plugin's environment.
    public enum Value: Sendable {
        /// Plain text.
        case plain(String)
        /// A secret, read at each start (`${env:…}` or `${file:…}` in the connector file).
        case secret(@Sendable () throws -> GuardedString?)
    }

    /// The program's absolute path.
    public var executable: String
    /// Its arguments (after the program itself).
    public var arguments: [String]
    /// Its whole environment: nothing else of Keyward's is passed on.
    public var environment: [(name: String, value: Value)]
    /// Its working folder; nil for Keyward's.
    public var directory: String?
    /// How long it may take to start and answer the hello, and to answer one request.
    public var timeout: Duration
    /// The system's name, for the hello.
    public var system: String
    /// The plugin's own settings, for the hello.
    public var settings: [String: String]
    /// Sees what the plugin writes to stderr (the conformance suite's canary check).
    public var stderrWatch: StderrWatch?

    /// Creates a launch.
    public init(
        executable: String, arguments: [String] = [], environment: [(name: String, value: Value)] = Self.inheritedEnvironment(),
        directory: String? = nil, timeout: Duration = PluginProtocol.defaultTimeout, system: String = "plugin-test",
        settings: [String: String] = [:], stderrWatch: StderrWatch? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.timeout = timeout
        self.system = system
        self.settings = settings
        self.stderrWatch = stderrWatch
    }

    /// The variables a plugin gets from Keyward's own environment: `PATH`,
    /// `HOME` and `LANG`, when they are set. Nothing else is passed on.
    public static let inheritedNames = ["PATH", "HOME", "LANG"]

    /// `PATH`, `HOME` and `LANG` from Keyward's environment.
    public static func inheritedEnvironment() -> [(name: String, value: Value)] {
        inheritedNames.compactMap { name in
            guard let value = getenv(name) else { return nil }
            return (name, .plain(String(cString: value)))
        }
    }
}
