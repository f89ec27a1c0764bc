import KeywardCore

/// Where `keyward dry-run` takes `attributeValue` from. Each source turns the
/// value into a ``GuardedString`` at once and wipes its own buffers.
enum SecretInput {
    /// `--value V`: the value as typed on the command line.
    case value(String)
    /// `--value-file F`: the file's contents, one trailing newline stripped.
    case file(String)
    /// `--stdin`: standard input to its end, one trailing newline stripped.
    case standardInput
    /// `--null`: `attributeValue` is nil, as when no password could be generated.
    case null
    /// `--generate`: a random value of ``generatedLength`` characters.
    case generate

    /// The length of a generated value.
    static let generatedLength = 16

    /// Letters, digits and a few punctuation marks that every target system
    /// and shell quoting accept; no look-alikes (`I l 1 O 0`).
    static let generatedAlphabet = Array(
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@_".utf8)

    /// Reads the value.
    func read() throws(CommandError) -> GuardedString? {
        switch self {
        case .value(let text):
            return GuardedString(text)
        case .file(let path):
            return try FileReader.withContents(at: path, kind: .values, Self.guarded)
        case .standardInput:
            return try FileReader.withStandardInput(kind: .values, Self.guarded)
        case .null:
            return nil
        case .generate:
            return Self.generated()
        }
    }

    /// A random value from ``generatedAlphabet``, written straight into
    /// guarded memory.
    static func generated(length: Int = generatedLength) -> GuardedString {
        var generator = SystemRandomNumberGenerator()
        return GuardedString(count: length) { buffer in
            for index in 0..<length {
                buffer[index] = generatedAlphabet[Int.random(in: 0..<generatedAlphabet.count, using: &generator)]
            }
        }
    }

    /// The bytes without one trailing `\n` (or `\r\n`), as `echo` and editors
    /// leave one.
    private static func guarded(_ bytes: UnsafeRawBufferPointer) -> GuardedString {
        var end = bytes.count
        if end > 0, bytes[end - 1] == UInt8(ascii: "\n") {
            end -= 1
            if end > 0, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        }
        return GuardedString(bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
    }
}
