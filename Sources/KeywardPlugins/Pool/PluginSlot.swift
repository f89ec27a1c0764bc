import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One place in a ``PluginPool``: a serial dispatch queue and, once
/// started, the plugin process it talks to. The blocking work (writes,
/// `poll`, reads, kills) runs on that queue, outside Swift's cooperative
/// pool, so a plugin that hangs holds one queue thread until its timeout
/// and never a worker of the engine.
///
/// The process is started on first use, kept between requests, and
/// replaced after any failure that stops it.
final class PluginSlot: @unchecked Sendable {
    // `connection` is read and written only on `queue`.
    private let queue: DispatchQueue
    private var connection: PluginConnection?

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the slot's queue and returns its result.
    private func run<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// Sends `request` (starting the plugin first if need be); returns the
    /// answer with the hello of the process that gave it.
    func call(
        _ request: PluginRequest, launch: PluginLaunch, log: PluginLog
    ) async -> Result<(PluginReply, PluginDescription), PluginFailure> {
        await run { [self] in
            do throws(PluginFailure) {
                let connection = try connected(launch, log: log)
                do throws(PluginFailure) {
                    return .success((try connection.call(request), connection.description))
                } catch where error.stopsProcess {
                    discard(connection, after: error, operation: request.operation.rawValue, log: log)
                    throw error
                }
            } catch {
                return .failure(error)
            }
        }
    }

    /// The hello of the slot's process, started if need be.
    func describe(launch: PluginLaunch, log: PluginLog) async -> Result<PluginDescription, PluginFailure> {
        await run { [self] in
            do throws(PluginFailure) {
                return .success(try connected(launch, log: log).description)
            } catch {
                return .failure(error)
            }
        }
    }

    /// The process id of the slot's plugin, nil when none runs.
    func processID() async -> Int32? {
        await run { [self] in connection.map { Int32($0.child.pid) } }
    }

    /// Closes the plugin's stdin, gives it `grace` to exit, then kills it.
    /// Returns how it ended, nil when none ran.
    @discardableResult
    func stop(grace: Duration) async -> String? {
        await run { [self] in stopNow(grace: grace) }
    }

    /// ``stop(grace:)`` without waiting for it (when the pool goes away).
    func stopLater(grace: Duration) {
        queue.async { [self] in _ = stopNow(grace: grace) }
    }

    private func stopNow(grace: Duration) -> String? {
        guard let connection else { return nil }
        self.connection = nil
        connection.child.stop(grace: grace)
        return connection.child.ending
    }

    /// The running connection, or a new one. A process that wrote between
    /// requests (or ended: a crash while idle) is replaced first.
    private func connected(_ launch: PluginLaunch, log: PluginLog) throws(PluginFailure) -> PluginConnection {
        if let connection {
            guard connection.child.hasUnexpectedOutput else { return connection }
            connection.child.killGroup()
            self.connection = nil
            log.replaced(pid: connection.child.pid, stderrBytes: connection.child.stderrBytes)
        }
        do throws(PluginFailure) {
            let started = try PluginConnection.start(launch)
            connection = started
            log.started(pid: started.child.pid, description: started.description)
            return started
        } catch {
            log.failed(error, operation: "the hello")
            throw error
        }
    }

    private func discard(_ connection: PluginConnection, after failure: PluginFailure, operation: String, log: PluginLog) {
        connection.child.killGroup()
        self.connection = nil
        log.failed(failure, operation: operation)
    }
}
