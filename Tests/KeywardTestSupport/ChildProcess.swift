import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starting the servers tests run (slapd, the KDC, PostgreSQL) as children.
public enum ChildProcess {
    /// Starts `arguments[0]` with stdout and stderr appended to `log`, stdin
    /// from /dev/null, and no other descriptor of ours.
    ///
    /// posix_spawn with an empty signal mask: the test runner's threads
    /// block SIGTERM and SIGINT, and a child started with Foundation's
    /// Process would inherit that and never see the stop signal.
    /// `detached` puts it in a new session (a watchdog that outlives us).
    public static func spawn(_ arguments: [String], log: String, environment: [String], detached: Bool = false) throws
        -> Int32
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // No other descriptor: a pipe another thread has open for a tool's
        // output would stay open in a server that outlives the tool, and
        // the pipe's reader would never see the end.
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
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, cArguments, cEnvironment)
        guard spawned == 0 else {
            throw TestToolError(description: "posix_spawn \(arguments[0]) failed: \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Waits for the child `pid` to exit.
    public static func reap(_ pid: Int32) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
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
}
