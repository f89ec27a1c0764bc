public import KeywardEngine
public import KeywardStore
public import Logging

/// Everything the routes use, made once by `keyward serve` (or a test).
public struct ServerDependencies: Sendable {
    /// The password operations with their mail; each route makes it act
    /// for its caller (`api:NAME`, `helpdesk:NAME`, `self:USERNAME`, `link`).
    public var desk: PasswordDesk
    /// The store (queue and audit reads, API tokens).
    public var store: any ServingStore
    /// The enabled systems, for the capability matrix on the pages.
    public var systems: [TargetSystem]
    /// How the server behaves toward clients.
    public var settings: ServerSettings
    /// Operations and HTTP metrics for `/metrics`.
    public var metrics: ServerMetrics
    /// The attempt limits, shared by the API and the pages.
    public var limits: AttemptLimits
    /// The access log and the server's own messages (never a secret).
    public var logger: Logger

    /// Creates the dependencies.
    public init(
        desk: PasswordDesk, store: any ServingStore, systems: [TargetSystem], settings: ServerSettings,
        metrics: ServerMetrics = ServerMetrics(), logger: Logger
    ) {
        self.desk = desk
        self.store = store
        self.systems = systems
        self.settings = settings
        self.metrics = metrics
        self.limits = AttemptLimits(settings: settings)
        self.logger = logger
    }
}
