import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starting, reaping and running the PostgreSQL programs.
enum PostgresProcess {
    /// Starts `arguments[0]` with stdout and stderr appended to `log`.
    ///
    /// posix_spawn with an empty signal mask: the test runner's threads
    /// block SIGTERM and SIGINT, and a child started with Foundation's
    /// Process would inherit that and never see the stop signal.
    /// `detached` puts it in a new session (a watchdog that outlives us).
    static func spawn(_ arguments: [String], log: String, detached: Bool = false) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGQUIT] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        // POSIX_SPAWN_SETSID (glibc 2.26), which Swift does not import.
        if detached { flags |= 0x80 }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let cArguments = arguments.map { strdup($0) } + [nil]
        let environment: [String] = ["LANG=C", "PATH=/usr/bin:/bin"]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, cArguments, cEnvironment)
        guard spawned == 0 else { throw PostgresServerError("posix_spawn \(arguments[0]) failed: \(spawned)") }
        return pid
    }

    /// Waits for the child `pid` to exit.
    static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// Runs a tool to completion with `environment` added to a minimal one;
    /// returns its stdout, or throws with its stderr when it fails.
    @discardableResult
    static func output(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: executable)
        tool.arguments = arguments
        tool.environment = ["LANG": "C", "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        tool.standardOutput = output
        tool.standardError = errors
        tool.standardInput = FileHandle.nullDevice
        try tool.run()
        let errorText = DrainedPipe(errors)
        let text = output.fileHandleForReading.readDataToEndOfFile()
        tool.waitUntilExit()
        guard tool.terminationStatus == 0 else {
            throw PostgresServerError(
                "\(executable) \(arguments.dropLast().joined(separator: " ")) failed: \(errorText.text())")
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Reads a pipe to its end on another thread, so a tool that fills both
/// stdout and stderr never blocks.
private final class DrainedPipe: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ pipe: Pipe) {
        Thread.detachNewThread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
