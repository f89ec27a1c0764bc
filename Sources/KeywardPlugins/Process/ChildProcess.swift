#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One plugin process, started by Keyward with its standard streams
/// connected to Keyward: stdin is a socket (so that writing to a plugin
/// that is gone fails with `EPIPE` instead of raising SIGPIPE: `send` with
/// `MSG_NOSIGNAL`), stdout and stderr are pipes, all non-blocking on
/// Keyward's side. The child leads a process group of its own, so a kill
/// reaches whatever it started too.
///
/// Blocking and not thread-safe: one queue at a time uses it
/// (``PluginSlot``). Waits are `poll` calls bounded by a deadline.
final class ChildProcess {
    /// The child's process id.
    let pid: pid_t
    /// Keyward's ends: the child's stdin, stdout and stderr (-1 once closed).
    var input: Int32
    var output: Int32
    var errors: Int32
    /// Bytes read from stdout and not yet taken as a line.
    let pending = WipedBuffer(capacity: 4096)
    /// Bytes the child wrote to stderr: counted, never kept.
    var stderrBytes = 0
    /// Sees the stderr bytes before they are dropped, when the suite asks.
    let stderrWatch: StderrWatch?
    /// How the child ended, once it was reaped.
    var ending: String?

    init(pid: pid_t, input: Int32, output: Int32, errors: Int32, stderrWatch: StderrWatch?) {
        self.pid = pid
        self.input = input
        self.output = output
        self.errors = errors
        self.stderrWatch = stderrWatch
    }

    deinit {
        if ending == nil { killGroup() }
        closeAll()
    }

    /// Kills the child's process group and the child, and reaps it.
    func killGroup() {
        guard ending == nil else { return }
        _ = kill(-pid, SIGKILL)
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        ending = Self.describe(status)
    }

    /// Reaps the child if it has ended; waits at most `grace` for it (its
    /// output is drained meanwhile), then kills it and records `otherwise`
    /// as how it ended.
    /// - Returns: how it ended (`exited with status 3`, `was killed by signal 9 (SIGKILL)`, or `otherwise`).
    @discardableResult
    func reap(grace: Duration, otherwise: String) -> String {
        if let ending { return ending }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                ending = Self.describe(status)
                return Self.describe(status)
            }
            if reaped == -1 && errno != EINTR { break }
            drainQuietly()
            usleep(5_000)
        }
        killGroup()
        ending = otherwise
        return otherwise
    }

    /// Closes stdin (the plugin's cue to exit), waits at most `grace`, kills it if it is still there.
    func stop(grace: Duration) {
        closeInput()
        reap(grace: grace, otherwise: "did not exit within \(grace) of its stdin closing, and was killed")
        closeAll()
    }

    /// Closes Keyward's end of the child's stdin.
    func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    private func closeAll() {
        closeInput()
        if output >= 0 { close(output) }
        if errors >= 0 { close(errors) }
        output = -1
        errors = -1
    }

    /// Reads and drops whatever the child wrote, so that it is not blocked
    /// on a full pipe while it exits.
    private func drainQuietly() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        chunk.withUnsafeMutableBytes { chunk in
            for descriptor in [output, errors] where descriptor >= 0 {
                let count = read(descriptor, chunk.baseAddress, chunk.count)
                if count > 0 && descriptor == errors { countStderr(UnsafeRawBufferPointer(rebasing: chunk[0..<count])) }
            }
            explicit_bzero(chunk.baseAddress!, chunk.count)
        }
    }

    /// Counts stderr bytes (and shows them to the watch).
    func countStderr(_ bytes: UnsafeRawBufferPointer) {
        stderrBytes += bytes.count
        stderrWatch?.observe(bytes)
    }

    /// `exited with status N` or `was killed by signal N (NAME)`.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        let names: [Int32: String] = [
            SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
            SIGINT: "SIGINT", SIGPIPE: "SIGPIPE", SIGFPE: "SIGFPE", SIGILL: "SIGILL",
        ]
        return "was killed by signal \(signal)" + (names[signal].map { " (\($0))" } ?? "")
    }
}
