/// What one attempt of the ``Executor`` did, for metrics: never a secret,
/// never a uid — the system, the action, how it ended and how long it took.
public struct OperationAttemptReport: Sendable, Equatable {
    /// The system's name.
    public var system: String
    /// `create`, `update`, `change` or `unlock`.
    public var action: String
    /// `executed`, `failed`, `retrying` or `blocked`.
    public var outcome: String
    /// The result's code (`ok`, `not-found`, …).
    public var code: String
    /// How long the system took (the connector's call, as logged).
    public var duration: Duration

    /// Creates a report.
    public init(system: String, action: String, outcome: String, code: String, duration: Duration) {
        self.system = system
        self.action = action
        self.outcome = outcome
        self.code = code
        self.duration = duration
    }
}
