import KeywardTestSupport
import Testing

/// `keyward serve` answers on Swift's cooperative pool (one thread per
/// core), where no handler may wait for something only another handler can
/// give back. The other suites' servers may run their handlers on the test
/// threads of `.offThePool`; here the clients start from the pool and send
/// more requests at once than the store has reader connections.
@Suite("API: many clients at once", .offThePool)
struct APILoadTests {
    @Test func fiftyClientsReadingAtOnceAllGetTheirAnswers() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: "Old-Passw0rd-1")
        let token = try await server.token("dashboard", scopes: ["queue:read"])
        let statuses = try await StuckPool.run(
            seconds: 90, test: "APILoadTests",
            reason: "50 API clients' 1,000 reads did not finish in 90 s: the server is stuck"
        ) {
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        var statuses: [Int] = []
                        for _ in 0..<10 {
                            // A lookup by key, then a list.
                            statuses.append(try await server.api(.GET, "/api/v1/people/ada/accounts", token: token).status)
                            statuses.append(try await server.api(.GET, "/api/v1/operations", token: token).status)
                        }
                        return statuses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        #expect(statuses.count == 1_000)
        #expect(statuses.allSatisfy { $0 == 200 }, "statuses: \(Set(statuses).sorted())")
        await server.stop()
    }
}
