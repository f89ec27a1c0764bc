public import ServiceLifecycle

/// A background loop run beside the HTTP server — the queue's executor, the
/// mail outbox's worker — stopped by a graceful shutdown (SIGTERM, SIGINT):
/// the work in hand finishes and is recorded, then the loop returns.
public struct WorkerService: Service {
    /// For the log.
    public let name: String
    private let loop: @Sendable () async throws -> Void

    /// A service running `loop` until it returns or is cancelled.
    public init(name: String, loop: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.loop = loop
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await loop()
        }
    }
}
