import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// Every wait here is an hour long unless the bell ends it: a bell that did
/// not, fails the test at its time limit.
@Suite(.offThePool, .timeLimit(.minutes(1)))
struct QueueBellTests {
    @Test func aRingWhileNobodyWaitsIsKeptForTheNextWait() async {
        let bell = QueueBell()
        bell.ring()
        await bell.wait(upTo: .seconds(3_600))
    }

    @Test func ringsThatComeTogetherCountAsOne() async {
        let bell = QueueBell()
        bell.ring()
        bell.ring()
        await bell.wait(upTo: .seconds(3_600))
        let start = ContinuousClock.now
        await bell.wait(upTo: .milliseconds(50))
        // Sleeps never end early: only the limit ended this wait.
        #expect(ContinuousClock.now - start >= .milliseconds(50))
    }

    @Test func aRingWakesEveryWaiter() async {
        let bell = QueueBell()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await bell.wait(upTo: .seconds(3_600)) } }
            // Rung again until all have returned: a waiter not yet waiting
            // when one ring comes keeps it for itself.
            group.addTask {
                while !Task.isCancelled {
                    bell.ring()
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            for _ in 0..<3 { await group.next() }
            group.cancelAll()
        }
    }

    @Test func cancellingTheTaskEndsTheWait() async {
        let bell = QueueBell()
        let waiter = Task { await bell.wait(upTo: .seconds(3_600)) }
        waiter.cancel()
        await waiter.value
    }

    /// `keyward serve`'s executor polls once a second; here it would poll
    /// once an hour, so only the service's ring can start each reset.
    @Test func theServiceRingsAnIdleExecutorThatPollsOnceAnHour() async throws {
        let fixture = try await EngineFixture()
        let bell = QueueBell()
        var service = fixture.service
        service.bell = bell
        var executor = fixture.executor
        executor.bell = bell
        let worker = Task { [executor] in try await executor.run(pollInterval: .seconds(3_600)) }
        defer { worker.cancel() }

        let created = try await service.createAccounts(username: "jdoe", systems: ["hr"])
        for id in created.operationIDs { try await Self.waitUntilEnded(id, fixture) }
        for number in 0..<3 {
            // Time for the executor to find the queue empty and wait.
            try await Task.sleep(for: .milliseconds(50))
            let password = "Reset-\(number)-Passw0rd!"
            let reset = try await service.resetPassword(
                username: "jdoe", system: "hr", password: .chosen(GuardedString(password)))
            // `hr` maps two password attributes: two operations per reset.
            #expect(reset.operationIDs.count == 2)
            for id in reset.operationIDs {
                #expect(try await Self.waitUntilEnded(id, fixture) == .executed)
            }
            #expect(try fixture.holds(password))
        }
        worker.cancel()
        try await worker.value
    }

    @discardableResult
    private static func waitUntilEnded(_ id: Int64, _ fixture: EngineFixture) async throws -> OperationState {
        var state = try await fixture.operation(id).state
        while !state.isTerminal {
            try await Task.sleep(for: .milliseconds(5))
            state = try await fixture.operation(id).state
        }
        return state
    }
}
