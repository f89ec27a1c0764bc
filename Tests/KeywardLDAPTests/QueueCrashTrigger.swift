/// Crashes a server at a chosen point of the executor's work: before the
/// connector call after the first `callsBeforeCrash`, once every one of
/// those has returned, so no request is in flight at the server when it
/// dies. Calls from then on wait for the crash, then go on to find the
/// server gone.
actor QueueCrashTrigger {
    private let callsBeforeCrash: Int
    private let crash: @Sendable () -> Void
    private var calls = 0
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Whether the crash happened.
    private(set) var crashed = false

    init(after callsBeforeCrash: Int, crash: @escaping @Sendable () -> Void) {
        self.callsBeforeCrash = callsBeforeCrash
        self.crash = crash
    }

    /// Called before a connector call. Returns whether the call is one of
    /// those before the crash (pass it to ``leave(_:)``).
    func enter() async -> Bool {
        calls += 1
        if calls <= callsBeforeCrash {
            running += 1
            return true
        }
        if !crashed {
            if running == 0 {
                fire()
            } else {
                await withCheckedContinuation { waiting.append($0) }
            }
        }
        return false
    }

    /// Called after a connector call returned or threw.
    func leave(_ beforeCrash: Bool) {
        guard beforeCrash else { return }
        running -= 1
        if running == 0, !waiting.isEmpty { fire() }
    }

    private func fire() {
        crash()
        crashed = true
        for continuation in waiting { continuation.resume() }
        waiting.removeAll()
    }
}
