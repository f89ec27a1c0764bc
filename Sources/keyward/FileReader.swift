#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import KeywardCore

/// Reads files (and standard input) with a size limit, turning every failure
/// into a one-line ``CommandError`` that names the file.
///
/// The limit is checked before reading (from the file's size) and again while
/// reading, so a 10 GiB file or an endless pipe is refused without being read.
/// Bytes are read into a buffer that is wiped after use, so a secret read
/// from a file leaves no copy behind.
enum FileReader {
    /// Scripts, case files and value files are limited to 1 MiB.
    static let limit = 1 << 20

    /// What the limit applies to, for the error message.
    enum Kind: String {
        case scripts, values, caseFiles = "case files"
    }

    /// Reads the whole file at `path` and copies it into an array.
    static func bytes(at path: String, kind: Kind) throws(CommandError) -> [UInt8] {
        try withContents(at: path, kind: kind) { Array($0) }
    }

    /// Reads the whole file at `path` and gives it to `body`; the buffer is
    /// wiped afterwards.
    static func withContents<Result>(
        at path: String,
        kind: Kind,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(CommandError) -> Result {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CommandError("\(path): \(reason(errno))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw CommandError("\(path): \(reason(errno))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CommandError("\(path): is a folder, not a file")
        }
        if (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > limit {
            throw tooLarge(path, size: Int(info.st_size), kind: kind)
        }
        return try withContents(of: descriptor, name: path, kind: kind, body)
    }

    /// Reads standard input to its end and gives it to `body`; the buffer is
    /// wiped afterwards.
    static func withStandardInput<Result>(
        kind: Kind,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(CommandError) -> Result {
        try withContents(of: STDIN_FILENO, name: "standard input", kind: kind, body)
    }

    private static func withContents<Result>(
        of descriptor: Int32,
        name: String,
        kind: Kind,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(CommandError) -> Result {
        // One byte more than the limit tells "exactly at the limit" from "over".
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: limit + 1, alignment: 16)
        defer {
            SecureMemory.zero(buffer)
            buffer.deallocate()
        }
        var count = 0
        while count < buffer.count {
            let got = read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw CommandError("\(name): \(reason(errno))")
            }
            count += got
        }
        if count > limit {
            throw tooLarge(name, size: nil, kind: kind)
        }
        return body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    private static func tooLarge(_ name: String, size: Int?, kind: Kind) -> CommandError {
        let what = size.map { "is \(formatted(bytes: $0))" } ?? "is larger than 1 MiB"
        return CommandError("\(name): \(what); \(kind.rawValue) are limited to 1 MiB")
    }

    /// A size in MiB with one decimal (`10.0 MiB`), or in bytes when that
    /// would round to the limit itself.
    static func formatted(bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        if tenths <= 10 { return "\(bytes) bytes" }
        return "\(tenths / 10).\(tenths % 10) MiB"
    }

    /// A short, lower-case reason for an errno value.
    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file or folder"
        case EACCES, EPERM: "permission denied"
        case EISDIR: "is a folder, not a file"
        default: String(cString: strerror(code)).lowercased()
        }
    }
}
