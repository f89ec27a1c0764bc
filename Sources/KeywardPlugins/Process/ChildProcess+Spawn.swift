#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import KeywardCore

extension ChildProcess {
    /// Starts `launch`'s program with `posix_spawn`: a new process group,
    /// no blocked signals, default signal actions, only the launch's
    /// environment, in the launch's folder.
    ///
    /// Environment values that are secrets are copied from their guarded
    /// memory into buffers that are wiped as soon as `posix_spawn` returns.
    /// - Throws: ``PluginFailure/Reason/cannotStart(_:)`` with the system's reason.
    static func spawn(_ launch: PluginLaunch) throws(PluginFailure) -> ChildProcess {
        var stdin: [Int32] = [-1, -1]
        var stdout: [Int32] = [-1, -1]
        var stderr: [Int32] = [-1, -1]
        func closeAll() {
            for descriptor in stdin + stdout + stderr where descriptor >= 0 { close(descriptor) }
        }
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &stdin) == 0,
            Self.pipeClosedOnExec(&stdout), Self.pipeClosedOnExec(&stderr)
        else {
            let reason = Self.errorText(errno)
            closeAll()
            throw PluginFailure(reason: .cannotStart("no pipes: \(reason)"))
        }

        let environment: CStringList
        do throws(PluginFailure) {
            environment = try CStringList(environment: launch.environment)
        } catch {
            closeAll()
            throw error
        }
        let arguments = CStringList(strings: [launch.executable] + launch.arguments)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin[1], 0)
        posix_spawn_file_actions_adddup2(&actions, stdout[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderr[1], 2)
        // Nothing else of Keyward's: not its database, not its sockets, not
        // a file another thread has open for writing (which would make that
        // program "busy" for as long as the plugin runs).
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
        if let directory = launch.directory {
            guard let changeDirectory = addChangeDirectory else {
                closeAll()
                throw PluginFailure(reason: .cannotStart("this C library cannot set a working folder (glibc 2.29 or newer can)"))
            }
            _ = changeDirectory(&actions, directory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        var status = posix_spawn(&pid, launch.executable, &actions, &attributes, arguments.pointers, environment.pointers)
        // ETXTBSY: the program file is still open for writing somewhere (it
        // is being replaced, or a child another thread is forking holds the
        // writer's descriptor for a moment). It passes quickly: try again.
        var wait: useconds_t = 10_000
        while status == ETXTBSY && wait <= 320_000 {
            usleep(wait)
            wait *= 2
            status = posix_spawn(&pid, launch.executable, &actions, &attributes, arguments.pointers, environment.pointers)
        }
        environment.wipe()
        close(stdin[1])
        close(stdout[1])
        close(stderr[1])
        guard status == 0 else {
            for descriptor in [stdin[0], stdout[0], stderr[0]] { close(descriptor) }
            throw PluginFailure(reason: .cannotStart("\(launch.executable): \(Self.errorText(status))"))
        }
        for descriptor in [stdin[0], stdout[0], stderr[0]] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        return ChildProcess(pid: pid, input: stdin[0], output: stdout[0], errors: stderr[0], stderrWatch: launch.stderrWatch)
    }

    /// `strerror(code)`.
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A pipe whose two ends close on `exec` from the start (`pipe2` with
    /// `O_CLOEXEC`), so that a child another thread spawns meanwhile
    /// cannot inherit them and keep the pipe open after the plugin ends.
    private static func pipeClosedOnExec(_ ends: inout [Int32]) -> Bool {
        guard let pipe2 = GNUFunctions.pipe2 else { return false }
        return ends.withUnsafeMutableBufferPointer { pipe2($0.baseAddress!, O_CLOEXEC) } == 0
    }

    private static var addCloseFrom: GNUFunctions.AddCloseFrom? { GNUFunctions.addCloseFrom }
    private static var addChangeDirectory: GNUFunctions.AddChangeDirectory? { GNUFunctions.addChangeDirectory }
}

/// glibc functions that Swift's Glibc module does not declare (they need
/// `_GNU_SOURCE`), looked up once by name; nil in a C library without them.
private enum GNUFunctions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// `pipe2` (glibc 2.9).
    static let pipe2 = function("pipe2", as: Pipe2.self)
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34): the child
    /// closes every descriptor from the given one up, close-on-exec or not.
    static let addCloseFrom = function("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29).
    static let addChangeDirectory = function("posix_spawn_file_actions_addchdir_np", as: AddChangeDirectory.self)

    private static func function<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}
