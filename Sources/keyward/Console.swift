#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to the process's standard streams without buffering surprises:
/// everything a command prints goes through here, so stdout and stderr stay
/// in the order they were written.
enum Console {
    /// Writes `text` and a newline to standard output.
    static func out(_ text: String) {
        emit(text + "\n", to: STDOUT_FILENO)
    }

    /// Writes `text` as is (it carries its own newlines) to standard output.
    static func outRaw(_ text: String) {
        emit(text, to: STDOUT_FILENO)
    }

    /// Writes `text` and a newline to standard error.
    static func err(_ text: String) {
        emit(text + "\n", to: STDERR_FILENO)
    }

    /// Writes `error: message` to standard error.
    static func error(_ message: String) {
        err("error: " + message)
    }

    /// Writes `warning: message` to standard error.
    static func warning(_ message: String) {
        err("warning: " + message)
    }

    private static func emit(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
