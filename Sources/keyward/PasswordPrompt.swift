#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import KeywardCore

/// Reading passwords without them ever touching argv: lines from standard
/// input, or a prompt on the terminal with echo off.
enum PasswordPrompt {
    /// The lines of standard input, each a password, in order (`\n` or
    /// `\r\n` ends a line). Exactly `count` non-empty lines are required.
    static func standardInputLines(_ count: Int, naming names: [String]) throws(CommandError) -> [GuardedString] {
        let lines = try FileReader.withStandardInput(kind: .values) { bytes -> [GuardedString] in
            var lines: [GuardedString] = []
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
                var end = index
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if index < bytes.count || end > start {
                    lines.append(GuardedString(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
                }
                start = index + 1
            }
            return lines
        }
        guard lines.count == count, lines.allSatisfy({ !$0.isEmpty }) else {
            throw CommandError(
                "--stdin expects \(count) non-empty line(s): \(names.joined(separator: ", then ")); got \(lines.count) line(s)")
        }
        return lines
    }

    /// Asks on the terminal with echo off.
    static func ask(_ prompt: String) throws(CommandError) -> GuardedString {
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard descriptor >= 0 else {
            throw CommandError("no terminal to ask for the password on; give it on standard input with --stdin")
        }
        defer { close(descriptor) }
        var saved = termios()
        let hasTerminal = tcgetattr(descriptor, &saved) == 0
        if hasTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(descriptor, TCSAFLUSH, &quiet)
        }
        defer {
            if hasTerminal { tcsetattr(descriptor, TCSAFLUSH, &saved) }
        }
        _ = prompt.withCString { write(descriptor, $0, strlen($0)) }
        let capacity = 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer {
            SecureMemory.zero(buffer)
            buffer.deallocate()
        }
        var length = 0
        while length < capacity {
            var byte: UInt8 = 0
            let count = read(descriptor, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 || byte == UInt8(ascii: "\n") { break }
            buffer[length] = byte
            length += 1
        }
        _ = "\n".withCString { write(descriptor, $0, 1) }
        if length > 0, buffer[length - 1] == UInt8(ascii: "\r") { length -= 1 }
        guard length > 0 else { throw CommandError("no password given") }
        return GuardedString(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
    }

    /// Asks twice; the two must match.
    static func askNew(_ prompt: String) throws(CommandError) -> GuardedString {
        let first = try ask(prompt)
        let second = try ask("Again: ")
        guard first == second else { throw CommandError("the two passwords differ; nothing was changed") }
        return first
    }
}
