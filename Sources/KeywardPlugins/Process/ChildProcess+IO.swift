#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ChildProcess {
    /// Writes all of `buffer` to the child's stdin by `deadline`, reading
    /// its stdout and stderr meanwhile (so that neither side waits on a
    /// full pipe).
    func send(_ buffer: WipedBuffer, by deadline: ContinuousClock.Instant, limit: Duration) throws(PluginFailure) {
        var written = 0
        while written < buffer.count {
            let count = buffer.withBytes { bytes in
                Glibc.send(input, bytes.baseAddress! + written, bytes.count - written, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if count > 0 {
                written += count
                continue
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK: try wait(by: deadline, limit: limit, writing: true)
            case EINTR: continue
            default: throw ended()
            }
        }
    }

    /// Reads the next line the child writes by `deadline` and gives it
    /// (without its newline) to `body` while it is still in the wiped
    /// buffer; the line is wiped after `body` returns.
    /// - Throws: a ``PluginFailure``: timed out, ended, or a line over the limit.
    func readLine<Value>(
        by deadline: ContinuousClock.Instant, limit: Duration,
        _ body: (UnsafeRawBufferPointer) throws(PluginFailure) -> Value
    ) throws(PluginFailure) -> Value {
        while true {
            if let end = pending.withBytes({ $0.firstIndex(of: 0x0A) }) {
                guard end <= PluginProtocol.maximumLineBytes else { throw failure(.lineTooLong) }
                let value = try pending.withBytes { bytes throws(PluginFailure) in
                    try body(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
                }
                pending.removeFirst(end + 1)
                return value
            }
            try wait(by: deadline, limit: limit, writing: false)
        }
    }

    /// Whether the child wrote to stdout or closed it while no request was
    /// open (a crash between requests, or unsolicited output).
    var hasUnexpectedOutput: Bool {
        if pending.count > 0 { return true }
        var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// The failure `reason`, with the stderr count.
    func failure(_ reason: PluginFailure.Reason) -> PluginFailure {
        PluginFailure(reason: reason, stderrBytes: stderrBytes)
    }

    /// The child closed its stdout or stdin: how it ended.
    private func ended() -> PluginFailure {
        failure(.exited(reap(grace: .seconds(1), otherwise: "closed its output without exiting, and was killed")))
    }

    /// One `poll` round: reads what stdout and stderr hold; returns when
    /// something happened. Throws when the deadline passed, the child
    /// closed its stdout, or stdout holds a line longer than the limit.
    private func wait(by deadline: ContinuousClock.Instant, limit: Duration, writing: Bool) throws(PluginFailure) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { throw failure(.timedOut(limit)) }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        var descriptors = [
            pollfd(fd: output, events: Int16(POLLIN), revents: 0),
            pollfd(fd: errors, events: Int16(POLLIN), revents: 0),
            pollfd(fd: writing ? input : -1, events: Int16(POLLOUT), revents: 0),
        ]
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        if ready < 0 {
            if errno == EINTR { return }
            throw failure(.exited("could not be watched (\(Self.errorText(errno)))"))
        }
        if ready == 0 { throw failure(.timedOut(limit)) }
        if descriptors[1].revents != 0 { readStderr() }
        if descriptors[0].revents != 0 { try readStdout() }
        if descriptors[2].revents & Int16(POLLERR | POLLHUP) != 0 { throw ended() }
    }

    /// Reads one chunk of stdout into ``pending``.
    private func readStdout() throws(PluginFailure) {
        let chunk = 64 << 10
        let count = pending.appendReading(upTo: chunk) { target in read(output, target.baseAddress, target.count) }
        if count == 0 { throw ended() }
        if count < 0 && errno != EAGAIN && errno != EINTR { throw ended() }
        let complete = pending.withBytes { $0.contains(0x0A) }
        if !complete && pending.count > PluginProtocol.maximumLineBytes { throw failure(.lineTooLong) }
    }

    /// Reads one chunk of stderr: counted, shown to the watch, wiped.
    private func readStderr() {
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        chunk.withUnsafeMutableBytes { chunk in
            let count = read(errors, chunk.baseAddress, chunk.count)
            if count > 0 {
                countStderr(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            } else if count == 0 {
                close(errors)
                errors = -1
            }
            explicit_bzero(chunk.baseAddress!, chunk.count)
        }
    }
}
