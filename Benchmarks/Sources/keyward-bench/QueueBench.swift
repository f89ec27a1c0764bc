import GRDB
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardStore

/// Figure (e): helpdesk password resets per second through the whole
/// engine, against the same hashes and UPDATEs issued straight through GRDB,
/// in one process and one run.
///
/// Engine: `resetPassword` with a chosen password (plan: policy check and the
/// Lua transform; enqueue: AES-GCM sealing in the store, audit), then
/// `Executor.drain()` (claim, open, hash, UPDATE through the sql connector,
/// finish, secrets deleted, audit). Baseline: the hash and one
/// `UPDATE … WHERE login = ?` per transaction, with as many workers as the
/// executor runs, each account's changes in order on one worker.
struct QueueBench: Sendable {
    /// A password storage of the target table, and the most resets each side
    /// makes with it in one round.
    struct Storage: Sendable {
        let hashing: PasswordHashing
        /// The connection keys that select it in a connector file.
        let connection: [String: String]
        /// The most resets per side per round (fewer when the disk is slow,
        /// see ``calibrate()``).
        let maximumChanges: Int
    }

    /// A realistic storage, where hashing dominates, and a cheap one, which
    /// shows the engine's own cost.
    static let storages = [
        Storage(
            hashing: .bcrypt(cost: 10), connection: ["passwordStorage": "bcrypt", "bcryptCost": "10"],
            maximumChanges: 20),
        Storage(hashing: .sha256Hex, connection: ["passwordStorage": "sha256-hex"], maximumChanges: 500),
    ]

    /// About how long the engine's side of one storage may take in a round.
    static let secondsPerSide = 1.5

    /// Nanoseconds one side of one storage took in one round.
    struct Timing: Sendable {
        /// The engine's requests (plan and enqueue); 0 for the baseline.
        var requests: UInt64 = 0
        /// The same plans made again alone, after the drain: not part of
        /// ``total``, it shows how much of ``requests`` is planning.
        var planning: UInt64 = 0
        /// The engine's drain, or the baseline's hashes and UPDATEs.
        var execution: UInt64 = 0
        var changes = 0

        var total: UInt64 { requests + execution }
        var changesPerSecond: Double { Double(changes) / (Double(total) / 1e9) }

        static func += (lhs: inout Timing, rhs: Timing) {
            lhs.requests += rhs.requests
            lhs.planning += rhs.planning
            lhs.execution += rhs.execution
            lhs.changes += rhs.changes
        }
    }

    /// Both sides of one storage in one round.
    struct Sample: Sendable {
        var engine = Timing()
        var baseline = Timing()

        var ratio: Double { engine.changesPerSecond / baseline.changesPerSecond }
    }

    let fixture: Fixture
    let workers: Int
    /// Resets per side per round, by storage; set by ``calibrate()``.
    private(set) var changes: [Int]

    init(fixture: Fixture, workers: Int) {
        self.fixture = fixture
        self.workers = workers
        self.changes = Self.storages.map(\.maximumChanges)
    }

    /// Runs one round: per storage (their order rotating), slices of half a
    /// round's resets in the order engine, baseline, baseline, engine (odd
    /// rounds the reverse), so that noise and drift land on both sides.
    func round(_ number: Int) async throws -> [Sample] {
        var samples = Array(repeating: Sample(), count: Self.storages.count)
        for offset in Self.storages.indices {
            let index = (number + offset) % Self.storages.count
            let half = changes[index] / 2
            let order = number % 2 == 0 ? [true, false, false, true] : [false, true, true, false]
            for (slice, isEngine) in order.enumerated() {
                let tag = "r\(number)s\(slice)\(isEngine ? "e" : "b")"
                let count = slice < 2 ? half : changes[index] - half
                if isEngine {
                    samples[index].engine += try await engine(index, changes: count, tag: tag)
                } else {
                    samples[index].baseline += try await baseline(index, changes: count, tag: tag)
                }
            }
        }
        return samples
    }

    /// Warms both sides of every storage up (the first call compiles the
    /// script and fills caches), checks that they do the same work, and
    /// sizes the rounds: the most resets the engine makes in about
    /// ``secondsPerSide``, at least two per worker per slice. A slow disk
    /// (every commit waits for fsync) otherwise stretches a round to minutes.
    mutating func calibrate() async throws {
        for index in Self.storages.indices {
            let maximum = Self.storages[index].maximumChanges
            let timing = try await engine(index, changes: min(maximum, 4 * workers), tag: "warm-e")
            _ = try await baseline(index, changes: min(maximum, 4 * workers), tag: "warm-b")
            let affordable = Int(Self.secondsPerSide / (Double(timing.total) / 1e9 / Double(timing.changes)))
            changes[index] = min(maximum, max(4 * workers, affordable))
        }
    }

    /// `changes` resets through the engine, timed from the first request to
    /// the end of the drain, then checked.
    func engine(_ index: Int, changes: Int, tag: String) async throws -> Timing {
        let engine = fixture.engines[index]
        let uids = fixture.uids
        let passwords = Self.passwords(changes, tag: tag)
        let start = Clock.now()
        for (offset, password) in passwords.enumerated() {
            _ = try await engine.service.resetPassword(
                username: uids[offset % uids.count], system: Self.system, password: .chosen(password))
        }
        let queued = Clock.now()
        let ran = try await engine.executor.drain()
        let end = Clock.now()

        guard ran == changes else { throw Failure("the engine ran \(ran) of \(changes) queued resets") }
        let counts = try await fixture.store.operationCounts()
        let unfinished = counts.filter { $0.key != .executed && $0.value > 0 }
        guard unfinished.isEmpty else {
            let states = unfinished.map { "\($0.value) \($0.key.rawValue)" }.sorted().joined(separator: ", ")
            throw Failure("operations the engine did not execute: \(states)")
        }
        let secrets = try await fixture.store.secretCounts().values.reduce(0, +)
        guard secrets == 0 else { throw Failure("\(secrets) secret(s) left in the store after the drain") }
        try await checkLastHash(index, passwords: passwords, side: "engine")
        let planning = try plans(engine.service, passwords: passwords)
        return Timing(requests: queued - start, planning: planning, execution: end - queued, changes: changes)
    }

    /// Nanoseconds the planner alone takes for the same requests: the
    /// policy check and the Lua transform, without the store.
    private func plans(_ service: ProvisioningService, passwords: [GuardedString]) throws -> UInt64 {
        guard let definition = service.systems[Self.system]?.definition else {
            throw Failure("the engine has no system named \(Self.system)")
        }
        let start = Clock.now()
        for (offset, password) in passwords.enumerated() {
            let person = fixture.identities[offset % fixture.identities.count]
            _ = try service.planner.plan(
                PlanRequest(
                    kind: .reset, identity: person, systems: [definition], password: .chosen(password),
                    uids: [Self.system: person.username]))
        }
        return Clock.now() - start
    }

    /// The same resets straight through GRDB: `workers` tasks, each hashing
    /// and issuing one UPDATE per transaction for its share of the accounts.
    func baseline(_ index: Int, changes: Int, tag: String) async throws -> Timing {
        let hashing = Self.storages[index].hashing
        let table = fixture.table
        let uids = fixture.uids
        let workers = workers
        let passwords = Self.passwords(changes, tag: tag)
        let start = Clock.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<min(workers, changes) {
                group.addTask {
                    for offset in passwords.indices where (offset % uids.count) % workers == worker {
                        let hash = try hashing.hash(passwords[offset])
                        let uid = uids[offset % uids.count]
                        try await table.writeWithoutTransaction { db in
                            try db.inTransaction(.immediate) {
                                try db.execute(sql: Self.update, arguments: [hash, uid])
                                guard db.changesCount == 1 else { throw Failure("no row for \(uid)") }
                                return .commit
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let end = Clock.now()
        try await checkLastHash(index, passwords: passwords, side: "baseline")
        return Timing(execution: end - start, changes: changes)
    }

    /// Checks that the account of the last reset holds the hash of its password.
    private func checkLastHash(_ index: Int, passwords: [GuardedString], side: String) async throws {
        guard let last = passwords.last else { return }
        let uid = fixture.uids[(passwords.count - 1) % fixture.uids.count]
        let stored = try await fixture.table.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM employees WHERE login = ?", arguments: [uid])
        }
        guard let stored, Self.storages[index].hashing.verify(last, against: stored) else {
            throw Failure("after the \(side)'s resets, \(uid) does not hold the hash of its last password")
        }
    }

    /// A different password for every reset; `tag` keeps them apart across slices.
    private static func passwords(_ count: Int, tag: String) -> [GuardedString] {
        (0..<count).map { GuardedString("Reset-\(tag)-\($0)-pw") }
    }

    /// Why the figure could not be measured.
    struct Failure: Error, CustomStringConvertible {
        let description: String

        init(_ description: String) {
            self.description = description
        }
    }
}
