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
        // No other descriptor: a pipe another thread has open for a tool's
        // output would stay open in a server that outlives it, and its
        // reader would never see the end.
        _ = closeFrom(&actions, 3)
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

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), which Swift
    /// does not import: looked up once by name.
    private static let closeFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc 2.34 or later is needed (posix_spawn_file_actions_addclosefrom_np)")
        }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Waits for the child `pid` to exit.
    static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// Runs a tool to completion with `environment` added to a minimal one;
    /// returns its stdout, or throws with its stderr when it fails.
    ///
    /// The output goes to files, not pipes: a pipe's write end inherited by
    /// a process another test starts meanwhile (a server, living on) would
    /// keep its reader waiting for an end that never comes.
    @discardableResult
    static func output(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-pgtool-\(UUID().uuidString)").path
        let (outputPath, errorPath) = (base + ".out", base + ".err")
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            FileManager.default.createFile(atPath: errorPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath), let errors = FileHandle(forWritingAtPath: errorPath)
        else { throw PostgresServerError("cannot create \(base).out/.err for \(executable)'s output") }
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: executable)
        tool.arguments = arguments
        tool.environment = ["LANG": "C", "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        tool.standardOutput = output
        tool.standardError = errors
        tool.standardInput = FileHandle.nullDevice
        try tool.run()
        tool.waitUntilExit()
        try? output.close()
        try? errors.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard tool.terminationStatus == 0 else {
            let errorText = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw PostgresServerError("\(executable) \(arguments.dropLast().joined(separator: " ")) failed: \(errorText)")
        }
        return text
    }
}
