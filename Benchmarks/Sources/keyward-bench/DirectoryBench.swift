import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardLDAP
import KeywardStore

#if canImport(Glibc)
// `timespec` through CDispatch, as in Clock.swift.
import CDispatch
import Glibc
#endif

/// Figure (f): helpdesk password resets per second to a real slapd through
/// the whole engine, against the same Password Modify operations sent
/// through bare libldap over one connection, in one process and one run.
///
/// Engine: `resetPassword` with a chosen password (plan: policy check and the
/// Lua transform; enqueue: AES-GCM sealing in the store, audit), then
/// `Executor.drain()` (claim, open, Password Modify over LDAPS through the
/// `ldap` connector's pool of bound connections, finish, secrets deleted,
/// audit). Baseline: `ldap_passwd_s` for the same DNs and passwords, one
/// after another, over one LDAPS connection bound before the clock starts.
struct DirectoryBench: Sendable {
    /// Nanoseconds one side took in one round.
    struct Timing: Sendable {
        /// The engine's requests (plan and enqueue); 0 for the baseline.
        var requests: UInt64 = 0
        /// The same plans made again alone, after the drain: not part of
        /// ``total``, it shows how much of ``requests`` is planning.
        var planning: UInt64 = 0
        /// The engine's drain, or the bare loop.
        var execution: UInt64 = 0
        /// The same number of resets sent straight through the connector by
        /// as many tasks as the executor has workers, after the drain: not
        /// part of ``total``, it shows how much of the drain is the
        /// directory and the connector rather than the queue. 0 for the baseline.
        var connector: UInt64 = 0
        /// CPU time this process used during ``connector``.
        var connectorCPU: UInt64 = 0
        /// CPU time this process used during ``total`` (all its threads; not slapd's).
        var cpu: UInt64 = 0
        /// CPU time this process used during ``requests``.
        var requestsCPU: UInt64 = 0
        /// The engine's resets recorded by the time the last request was queued.
        var ranDuringRequests = 0
        /// Context switches of this process's threads during ``total``.
        var switches: UInt64 = 0
        /// Context switches of this process's threads during ``connector``.
        var connectorSwitches: UInt64 = 0
        /// What the store's one writer did during ``total``; zero for the baseline.
        var writer = WriterLoad()
        var changes = 0

        var total: UInt64 { requests + execution }
        var changesPerSecond: Double { Double(changes) / (Double(total) / 1e9) }

        static func += (lhs: inout Timing, rhs: Timing) {
            lhs.requests += rhs.requests
            lhs.planning += rhs.planning
            lhs.execution += rhs.execution
            lhs.connector += rhs.connector
            lhs.connectorCPU += rhs.connectorCPU
            lhs.cpu += rhs.cpu
            lhs.requestsCPU += rhs.requestsCPU
            lhs.ranDuringRequests += rhs.ranDuringRequests
            lhs.switches += rhs.switches
            lhs.connectorSwitches += rhs.connectorSwitches
            lhs.writer = lhs.writer + rhs.writer
            lhs.changes += rhs.changes
        }
    }

    /// Both sides in one round.
    struct Sample: Sendable {
        var engine = Timing()
        var baseline = Timing()

        var ratio: Double { engine.changesPerSecond / baseline.changesPerSecond }
    }

    /// Why the figure could not be measured.
    typealias Failure = QueueBench.Failure

    /// The most resets per side in one round.
    static let maximumChanges = 400
    /// About how long the engine's side may take in a round.
    static let secondsPerSide = 1.5

    let fixture: Fixture
    let workers: Int
    /// Concurrent helpdesk clients sending the engine's requests.
    let clients: Int
    /// Resets per side per round; set by ``calibrate()``.
    private(set) var changes = maximumChanges

    init(fixture: Fixture, workers: Int, clients: Int) {
        self.fixture = fixture
        self.workers = workers
        self.clients = clients
    }

    /// Runs one round: slices of half a round's resets in the order engine,
    /// baseline, baseline, engine (odd rounds the reverse), so that noise
    /// and drift land on both sides.
    func round(_ number: Int) async throws -> Sample {
        var sample = Sample()
        let half = changes / 2
        let order = number % 2 == 0 ? [true, false, false, true] : [false, true, true, false]
        for (slice, isEngine) in order.enumerated() {
            let tag = "r\(number)s\(slice)\(isEngine ? "e" : "b")"
            let count = slice < 2 ? half : changes - half
            if isEngine {
                sample.engine += try await engine(changes: count, tag: tag)
            } else {
                sample.baseline += try await baseline(changes: count, tag: tag)
            }
        }
        return sample
    }

    /// Warms both sides up (the first engine call compiles the script and
    /// opens the pool's connections), checks that they do the same work, and
    /// sizes the rounds: the most resets the engine makes in about
    /// ``secondsPerSide``, at least two per worker per slice.
    mutating func calibrate() async throws {
        let warm = min(Self.maximumChanges, 4 * workers)
        let timing = try await engine(changes: warm, tag: "warm-e")
        _ = try await baseline(changes: warm, tag: "warm-b")
        let affordable = Int(Self.secondsPerSide / (Double(timing.total) / 1e9 / Double(timing.changes)))
        changes = min(Self.maximumChanges, max(4 * workers, affordable))
    }

    /// `changes` resets through the engine, timed from the first request to
    /// the end of the drain, then checked; then the planner and the
    /// connector alone, timed apart. The requests come from ``clients``
    /// concurrent helpdesk clients (each account's resets from one client,
    /// in order) while the executor drains what is queued, as `keyward
    /// serve` with its workers would.
    func engine(changes: Int, tag: String) async throws -> Timing {
        let engine = fixture.engine
        let service = engine.service
        let uids = fixture.uids
        let clients = min(clients, changes)
        let passwords = Self.passwords(changes, tag: tag)
        let secrets = passwords.map { GuardedString($0) }
        let cpu = Self.processCPU()
        let switches = Self.contextSwitches()
        let writer = fixture.store.writerLoad
        let recorded = fixture.recorded.value
        let start = Clock.now()
        async let drained = Self.drain(engine.executor, until: changes)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for offset in secrets.indices where (offset % uids.count) % clients == client {
                        _ = try await service.resetPassword(
                            username: uids[offset % uids.count], system: Self.system, password: .chosen(secrets[offset]))
                    }
                }
            }
            try await group.waitForAll()
        }
        let queued = Clock.now()
        let (requestsCPU, ranDuringRequests) = (Self.processCPU() - cpu, fixture.recorded.value - recorded)
        let ran = try await drained
        let end = Clock.now()
        let used = Self.processCPU() - cpu
        let switched = Self.contextSwitches() - switches
        let written = fixture.store.writerLoad - writer

        guard ran == changes else { throw Failure("the engine ran \(ran) of \(changes) queued resets") }
        let counts = try await fixture.store.operationCounts()
        let unfinished = counts.filter { $0.key != .executed && $0.value > 0 }
        guard unfinished.isEmpty else {
            let states = unfinished.map { "\($0.value) \($0.key.rawValue)" }.sorted().joined(separator: ", ")
            throw Failure("operations the engine did not execute: \(states)")
        }
        let stored = try await fixture.store.secretCounts().values.reduce(0, +)
        guard stored == 0 else { throw Failure("\(stored) secret(s) left in the store after the drain") }
        try await checkLastBind(passwords: passwords, side: "engine")

        let planning = try plans(engine.service, passwords: secrets)
        let connector = try await connectorAlone(changes: changes, tag: tag + "c")
        return Timing(
            requests: queued - start, planning: planning, execution: end - queued, connector: connector.wall,
            connectorCPU: connector.cpu, cpu: used, requestsCPU: requestsCPU, ranDuringRequests: ranDuringRequests,
            switches: switched, connectorSwitches: connector.switches,
            writer: written, changes: changes)
    }

    /// Drains the queue again and again while requests arrive, until
    /// `count` operations have run. Returns how many ran.
    private static func drain(_ executor: Executor, until count: Int) async throws -> Int {
        var total = 0
        while total < count {
            try Task.checkCancellation()
            let ran = try await executor.drain()
            total += ran
            if ran == 0 { try await Task.sleep(for: .microseconds(200)) }
        }
        return total
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

    /// Nanoseconds (wall and this process's CPU) `changes` resets take
    /// through `LDAPDirectoryConnector.update` alone, without plan or queue:
    /// as many tasks as the executor has workers, each account's resets in
    /// order on one task. Checked like a slice.
    private func connectorAlone(changes: Int, tag: String) async throws -> (wall: UInt64, cpu: UInt64, switches: UInt64) {
        let connector = fixture.connector
        let uids = fixture.uids
        let workers = workers
        let passwords = Self.passwords(changes, tag: tag)
        let attributes = passwords.map {
            [ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(GuardedString($0)))]
        }
        let cpu = Self.processCPU()
        let switches = Self.contextSwitches()
        let start = Clock.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<min(workers, changes) {
                group.addTask {
                    for offset in attributes.indices where (offset % uids.count) % workers == worker {
                        try await connector.update(
                            uid: uids[offset % uids.count], attributes: attributes[offset], options: PasswordOptions())
                    }
                }
            }
            try await group.waitForAll()
        }
        let end = Clock.now()
        let used = Self.processCPU() - cpu
        let switched = Self.contextSwitches() - switches
        try await checkLastBind(passwords: passwords, side: "connector's")
        return (end - start, used, switched)
    }

    /// The same resets through bare libldap: one Password Modify after
    /// another on the one bound connection.
    func baseline(changes: Int, tag: String) async throws -> Timing {
        let uids = fixture.uids
        let passwords = Self.passwords(changes, tag: tag)
        let dns = passwords.indices.map { Slapd.personDN(uids[$0 % uids.count]) }
        let cpu = Self.processCPU()
        let switches = Self.contextSwitches()
        let nanoseconds = try await fixture.bare.resetAll(dns: dns, passwords: passwords)
        let used = Self.processCPU() - cpu
        let switched = Self.contextSwitches() - switches
        try await checkLastBind(passwords: passwords, side: "baseline")
        return Timing(execution: nanoseconds, cpu: used, switches: switched, changes: changes)
    }

    /// Checks that the account of the last reset binds with its password
    /// (a new LDAPS connection and a simple bind).
    private func checkLastBind(passwords: [String], side: String) async throws {
        guard let last = passwords.last else { return }
        let uid = fixture.uids[(passwords.count - 1) % fixture.uids.count]
        do {
            _ = try await LDAPConnection.connect(
                to: fixture.connector.settings.endpoint,
                authentication: .simple(bindDN: Slapd.personDN(uid), password: GuardedString(last)))
        } catch {
            throw Failure("after the \(side) resets, \(uid) does not bind with its last password: \(error)")
        }
    }

    /// A different password for every reset; `tag` keeps them apart across
    /// slices. Plain strings for the bare loop; the engine wraps each in a
    /// GuardedString before its clock starts.
    private static func passwords(_ count: Int, tag: String) -> [String] {
        (0..<count).map { "Reset-\(tag)-\($0)-pw" }
    }

    /// Context switches of every thread of this process so far, voluntary
    /// (a wait) or not (preempted).
    private static func contextSwitches() -> UInt64 {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return UInt64(usage.ru_nvcsw + usage.ru_nivcsw)
    }

    /// CPU time of every thread of this process, in nanoseconds.
    private static func processCPU() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
