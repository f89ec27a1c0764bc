public import KeywardConnectors
public import Logging
import Synchronization

/// A few long-lived processes of one plugin. Each serves one request at a
/// time; a request takes a free process (the one used last, so a quiet
/// system keeps one warm), starting it if need be, or waits for one.
/// A process that crashed, hung or broke the protocol is gone after that
/// request, and the next request starts a fresh one.
public final class PluginPool: Sendable {
    /// How each process starts.
    public let launch: PluginLaunch
    /// How many processes may run at once.
    public let size: Int
    private let slots: [PluginSlot]
    private let free: Mutex<FreeSlots>
    private let latest = Mutex<PluginDescription?>(nil)
    private let log: PluginLog

    private struct FreeSlots {
        /// Free slot indices; the last one is taken next.
        var stack: [Int]
        var waiters: [CheckedContinuation<Int, Never>] = []
    }

    /// Creates a pool; no process starts until the first request.
    /// - Parameter subject: names the plugin in errors and logs (`system 'NAME'`).
    public init(launch: PluginLaunch, size: Int, subject: String, logger: Logger) {
        self.launch = launch
        self.size = max(1, size)
        slots = (0..<max(1, size)).map { PluginSlot(label: "keyward.plugin.\(launch.system).\($0)") }
        free = Mutex(FreeSlots(stack: Array((0..<max(1, size)).reversed())))
        log = PluginLog(logger: logger, subject: subject)
    }

    deinit {
        for slot in slots { slot.stopLater(grace: .seconds(2)) }
    }

    /// What the last process to start said in its hello; nil before the first start.
    public var description: PluginDescription? { latest.withLock { $0 } }

    /// Sends `request` to a free process and returns its answer.
    /// - Throws: the failure (timeout, crash, protocol error, wrong
    ///   version) as a ``ConnectorError`` naming the subject and the operation.
    public func send(_ request: PluginRequest) async throws(ConnectorError) -> PluginReply {
        switch await exchange(request) {
        case .success(let reply): return reply
        case .failure(let failure): throw failure.connectorError(log.subject, operation: request.operation.rawValue)
        }
    }

    /// ``send(_:)`` with the failure as it is (the conformance suite looks at its reason).
    func exchange(_ request: PluginRequest) async -> Result<PluginReply, PluginFailure> {
        let index = await acquire()
        defer { release(index) }
        switch await slots[index].call(request, launch: launch, log: log) {
        case .success(let (reply, description)):
            latest.withLock { $0 = description }
            return .success(reply)
        case .failure(let failure):
            return .failure(failure)
        }
    }

    /// The plugin's hello: from the last start, or from a process started now.
    public func describe() async throws(ConnectorError) -> PluginDescription {
        if let known = description { return known }
        return try await start()
    }

    /// Starts a process if a free slot has none; returns its hello.
    @discardableResult
    public func start() async throws(ConnectorError) -> PluginDescription {
        let index = await acquire()
        defer { release(index) }
        switch await slots[index].describe(launch: launch, log: log) {
        case .success(let description):
            latest.withLock { $0 = description }
            return description
        case .failure(let failure):
            throw failure.connectorError(log.subject, operation: "the hello")
        }
    }

    /// The process ids of the running plugins, in slot order.
    public func processIDs() async -> [Int32] {
        var ids: [Int32] = []
        for slot in slots {
            if let id = await slot.processID() { ids.append(id) }
        }
        return ids
    }

    /// Stops every process: stdin closed, `grace` to exit, then killed.
    /// Returns how each ended. The pool starts new ones if asked again.
    @discardableResult
    public func stop(grace: Duration = .seconds(2)) async -> [String] {
        var endings: [String] = []
        for slot in slots {
            if let ending = await slot.stop(grace: grace) { endings.append(ending) }
        }
        return endings
    }

    private func acquire() async -> Int {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            let index: Int? = free.withLock { free in
                if let index = free.stack.popLast() { return index }
                free.waiters.append(continuation)
                return nil
            }
            if let index { continuation.resume(returning: index) }
        }
    }

    private func release(_ index: Int) {
        let waiter: CheckedContinuation<Int, Never>? = free.withLock { free in
            if !free.waiters.isEmpty { return free.waiters.removeFirst() }
            free.stack.append(index)
            return nil
        }
        waiter?.resume(returning: index)
    }
}
