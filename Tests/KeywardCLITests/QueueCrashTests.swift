import Foundation
import GRDB
import KeywardTestSupport
import Testing

/// `keyward run` killed with SIGKILL in the middle of 1,000 operations, then
/// restarted: every operation ends exactly once in the target table.
@Suite("CLI: crash and restart", .offThePool)
struct QueueCrashTests {
    static let count = 1_000

    @Test func killedMidBatchThenRestartedEveryOperationEndsExactlyOnce() throws {
        let fixture = try QueueFixture()
        var csv = "username,givenName,email\n"
        for index in 0..<Self.count { csv += "user\(index),User \(index),user\(index)@example.com\n" }
        try fixture.scratch.write("many.csv", csv)
        #expect(try fixture.run("keygen").status == 0)
        let imported = try fixture.run("identity", "import", "many.csv")
        #expect(imported.status == 0, "\(imported)")
        let queued = try fixture.run("account", "create", "--all-users", "--system", "hr", "--no-wait")
        #expect(queued.status == 0, "\(queued)")
        #expect(try fixture.store("SELECT count(*) FROM operations WHERE state = 'created'") == Self.count)

        // Start the workers, and kill them once some rows (but not all) are in.
        let worker = try Background(["run", "--workers", "4", "--poll-interval", "0.1"], in: fixture.url)
        var rows = 0
        let deadline = Date().addingTimeInterval(120)
        while rows < 100 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            rows = (try? fixture.hr("SELECT count(*) FROM employees") as Int?) ?? 0
        }
        worker.kill()
        let atKill: Int = try #require(try fixture.hr("SELECT count(*) FROM employees"))
        #expect(atKill >= 100 && atKill < Self.count, "the kill came at \(atKill) rows; it must land mid-batch")
        let executedAtKill: Int = try #require(try fixture.store("SELECT count(*) FROM operations WHERE state = 'executed'"))
        #expect(executedAtKill < Self.count)

        // Operations a worker held when it died (almost always some: the
        // workers are between batches only for an instant).
        let interrupted: Int = try #require(try fixture.store("SELECT count(*) FROM operations WHERE state = 'running'"))

        // Restart: interrupted operations resume, and everything drains.
        let restart = try fixture.run("run", "--drain")
        #expect(restart.status == 0, "\(restart)")
        if interrupted > 0 {
            #expect(restart.stderr.contains("resuming \(interrupted) operation(s)"), "\(restart)")
        }

        #expect(try fixture.hr("SELECT count(*) FROM employees") == Self.count)
        // Each row was inserted exactly once (the trigger logs every insert).
        #expect(try fixture.hr("SELECT count(*) FROM inserts") == Self.count)
        #expect(try fixture.hr("SELECT count(DISTINCT login) FROM inserts") == Self.count)
        // Each operation ended exactly once, executed, with one `executed` audit entry.
        #expect(try fixture.store("SELECT count(*) FROM operations WHERE state = 'executed'") == Self.count)
        #expect(
            try fixture.store("SELECT count(*) FROM audit WHERE outcome = 'executed' AND action = 'create'") == Self.count)
        #expect(
            try fixture.store(
                "SELECT count(*) FROM (SELECT operation_id FROM audit WHERE outcome = 'executed' GROUP BY operation_id HAVING count(*) > 1)"
            ) == 0)
        #expect(try fixture.store("SELECT count(*) FROM secrets") == 0)
        #expect(try fixture.store("SELECT count(*) FROM accounts WHERE state = 'active'") == Self.count)
    }

    @Test func sigtermStopsGracefullyWithNothingLeftRunning() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        let worker = try Background(["run", "--poll-interval", "0.1"], in: fixture.url)
        Thread.sleep(forTimeInterval: 1)
        _ = try fixture.run("account", "create", "--all-users", "--system", "hr", "--no-wait")
        let deadline = Date().addingTimeInterval(60)
        while (try fixture.hr("SELECT count(*) FROM employees") as Int?) != 3 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let status = worker.terminate()
        #expect(status == 0, "\(worker.output)")
        #expect(worker.output.contains("stopped"), "\(worker.output)")
        #expect(try fixture.store("SELECT count(*) FROM operations WHERE state = 'running'") == 0)
    }
}

/// `keyward` started in the background, its output collected in a file.
final class Background {
    let process = Process()
    let log: URL

    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        guard let executable = KeywardProcess.executable else {
            throw KeywardProcess.LocateError(message: "the keyward executable was not found next to the test binary")
        }
        log = directory.appendingPathComponent("background-\(UUID().uuidString).log")
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        try process.run()
    }

    /// SIGKILL, as a crash would.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM; returns the exit status. A process still running a minute
    /// later is killed (SIGKILL) and reported as -9, so a hang fails the
    /// test instead of stalling the run.
    func terminate() -> Int32 {
        Foundation.kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard !process.isRunning else {
            kill()
            return -9
        }
        return process.terminationStatus
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill() }
    }
}
