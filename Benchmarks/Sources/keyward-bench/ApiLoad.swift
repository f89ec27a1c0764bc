import AsyncHTTPClient
import Foundation
import GRDB
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardStore
import NIOCore
import NIOHTTP1
import Synchronization

/// Figure (g): password changes through `keyward serve`'s JSON API on
/// loopback — `--api-clients` concurrent clients for `--api-seconds`, each
/// changing its own account's password again and again (`POST
/// /api/v1/people/{username}/change` with a bearer token) while the
/// executor drains to the `sql` connector — against the same changes through
/// ``PasswordDesk`` directly (no HTTP, no token, no JSON), on the same number
/// of concurrent tasks, in the same run. Then: errors (must be 0),
/// operations queued against executed (none lost), p50/p99 latency and
/// requests per second, and the ratios.
struct ApiLoad: Sendable {
    typealias Failure = QueueBench.Failure

    /// What one side did.
    struct Side: Sendable {
        /// Each request's latency, in milliseconds.
        var latencies: [Double] = []
        /// Requests that did not end with 202 (or threw), by reason.
        var errors: [String: Int] = [:]
        /// Operations the accepted requests queued.
        var queued = 0
        /// Wall time of the side, in seconds.
        var seconds = 0.0

        var requests: Int { latencies.count }
        var errorCount: Int { errors.values.reduce(0, +) }
        var perSecond: Double { Double(requests) / seconds }

        mutating func merge(_ other: Side) {
            latencies += other.latencies
            for (reason, count) in other.errors { errors[reason, default: 0] += count }
            queued += other.queued
        }
    }

    let clients: Int
    let seconds: Double
    let workers: Int
    /// The most changes of its own a client leaves unfinished before it waits.
    let window: Int

    /// Runs the figure and prints it; a failure to set up is printed too.
    static func report(_ options: BenchOptions) {
        let load = ApiLoad(
            clients: options.apiClients, seconds: options.apiSeconds, workers: options.queueWorkers, window: options.apiWindow)
        do {
            let outcome = try Blocking.wait { try await load.run() }
            load.print(outcome)
        } catch {
            Swift.print("(g) API load: could not run: \(error)")
        }
    }

    /// Both sides and the checks after them.
    struct Outcome: Sendable {
        var desk: Side
        var api: Side
        /// Operations by state after the final drain.
        var states: [OperationState: Int]
        /// Operations still waiting when each side's clients stopped (desk, API): the workers ran
        /// them after (untimed), before the next side or in the final drain.
        var backlogs: (desk: Int, api: Int)
        /// Accounts whose row does not hold the last password its client set.
        var wrongRows: Int
        var accounts: Int
    }

    func run() async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-bench-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fixture = try await Self.makeFixture(in: folder, clients: clients, workers: workers)
        let (port, server) = try await Self.startServer(fixture.dependencies)
        defer { server.cancel() }
        var http = HTTPClient.Configuration()
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = clients
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        let executor = fixture.executor
        let workers = Task { try await executor.run(pollInterval: .milliseconds(5)) }

        let deskSide = try await phase("desk", store: fixture.store) { username, current, new in
            let receipt = try await fixture.desk.acting(as: "bench:desk").change(
                username: username, systems: [Self.system], current: GuardedString(current), new: GuardedString(new))
            return .queued(receipt.operationIDs)
        }
        let backlogAfterDesk = try await Self.backlog(fixture.store)
        // The next side starts on an empty queue: the workers catch up first (not timed).
        while try await Self.backlog(fixture.store) > 0 { try await Task.sleep(for: .milliseconds(50)) }
        let apiSide = try await phase("api", store: fixture.store) { username, current, new in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/people/\(username)/change")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(fixture.token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(
                ByteBuffer(string: #"{"systems":["hr"],"currentPassword":"\#(current)","newPassword":"\#(new)"}"#))
            let response = try await client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 202 else { return .refused("HTTP \(response.status.code)") }
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            return .queued(((json?["operationIDs"] as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.int64Value })
        }
        let backlogAfterAPI = try await Self.backlog(fixture.store)

        workers.cancel()
        _ = try await workers.value
        try await executor.drain()
        try await client.shutdown()
        let states = try await fixture.store.operationCounts()
        let wrong = try await rowsNotHoldingTheirLastPassword(fixture, deskSide: deskSide, apiSide: apiSide)
        return Outcome(
            desk: deskSide.side, api: apiSide.side, states: states, backlogs: (backlogAfterDesk, backlogAfterAPI),
            wrongRows: wrong, accounts: 2 * clients)
    }

    /// Operations not ended yet.
    private static func backlog(_ store: SQLiteStore) async throws -> Int {
        try await store.operationCounts().filter { !$0.key.isTerminal }.values.reduce(0, +)
    }

    /// How one request ended.
    enum Result: Sendable {
        case queued([Int64])
        case refused(String)
    }

    /// One side's clients and the changes each made.
    struct PhaseResult: Sendable {
        var side: Side
        /// Per client: how many of its changes were accepted (its account then holds passwords[count % 2]).
        var accepted: [Int]
    }

    /// `clients` tasks, each changing its own account (`SIDE-000N`) for
    /// ``seconds``, timing every request.
    private func phase(
        _ name: String, store: SQLiteStore, _ request: @escaping @Sendable (String, String, String) async throws -> Result
    ) async throws -> PhaseResult {
        let window = self.window
        let usernames = Self.usernames(name, count: clients)
        let deadline = Clock.now() + UInt64(seconds * 1e9)
        let start = Clock.now()
        let results = try await withThrowingTaskGroup(of: (Int, Side, Int).self) { group in
            for (index, username) in usernames.enumerated() {
                group.addTask {
                    var side = Side()
                    var accepted = 0
                    var outstanding: [Int64] = []
                    while Clock.now() < deadline {
                        // At most `window` of this client's changes unfinished (untimed wait).
                        while outstanding.count >= window, Clock.now() < deadline {
                            if let state = try await store.operation(id: outstanding[0])?.state, state.isTerminal {
                                outstanding.removeFirst()
                            } else {
                                try await Task.sleep(for: .milliseconds(2))
                            }
                        }
                        guard Clock.now() < deadline else { break }
                        let current = Self.passwords[accepted % 2]
                        let new = Self.passwords[(accepted + 1) % 2]
                        let begin = Clock.now()
                        let result: Result
                        do {
                            result = try await request(username, current, new)
                        } catch {
                            result = .refused("\(type(of: error))")
                        }
                        side.latencies.append(Double(Clock.now() - begin) / 1e6)
                        switch result {
                        case .queued(let ids):
                            side.queued += ids.count
                            outstanding += ids
                            accepted += 1
                        case .refused(let reason):
                            side.errors[reason, default: 0] += 1
                        }
                    }
                    return (index, side, accepted)
                }
            }
            var merged = Side()
            var accepted = Array(repeating: 0, count: usernames.count)
            for try await (index, side, count) in group {
                merged.merge(side)
                accepted[index] = count
            }
            return PhaseResult(side: merged, accepted: accepted)
        }
        var result = results
        result.side.seconds = Double(Clock.now() - start) / 1e9
        return result
    }

    /// Accounts whose row does not verify against the last password its client set.
    private func rowsNotHoldingTheirLastPassword(_ fixture: Fixture, deskSide: PhaseResult, apiSide: PhaseResult)
        async throws -> Int
    {
        let expected = Array(zip(Self.usernames("desk", count: clients), deskSide.accepted))
            + Array(zip(Self.usernames("api", count: clients), apiSide.accepted))
        let hashes = try await fixture.table.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT login, password_hash FROM accounts").map {
                    ($0["login"] as String, $0["password_hash"] as String? ?? "")
                })
        }
        let hashing = PasswordHashing.pbkdf2SHA256(iterations: 1_000)
        return expected.filter { username, accepted in
            !hashing.verify(GuardedString(Self.passwords[accepted % 2]), against: hashes[username] ?? "")
        }.count
    }
}
