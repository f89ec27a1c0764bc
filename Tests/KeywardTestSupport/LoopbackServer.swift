public import Hummingbird
public import NIOCore

/// Runs a Hummingbird application on 127.0.0.1 at a port the system picks,
/// for tests: returns once it listens.
public enum LoopbackServer {
    /// Starts the application `make` builds; `make` must pass the hook it is
    /// given as the application's `onServerRunning`, which tells the port.
    /// Cancel the returned task to stop the server.
    public static func start<App: ApplicationProtocol>(
        _ make: (_ onServerRunning: @escaping @Sendable (any Channel) async -> Void) throws -> App
    ) async throws -> (port: Int, task: Task<Void, any Error>) {
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let application = try make { channel in
            announce.yield(channel.localAddress?.port ?? 0)
            announce.finish()
        }
        let task = Task {
            defer { announce.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            _ = await task.result
            throw FakeServerError(message: "the server did not start on 127.0.0.1")
        }
        return (port, task)
    }
}
