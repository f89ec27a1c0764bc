/// A transformation script read from disk and found fit to hand to the
/// checker: at most 1 MiB, Lua source text (not a precompiled chunk), valid
/// UTF-8.
///
/// Everything else is refused here with a one-line ``CommandError`` naming
/// the file, before the checker or the sandbox sees a byte of it.
struct ScriptFile {
    /// The path as the user gave it (or as found in a folder they gave).
    let path: String
    /// The script's text.
    let source: String

    /// Reads and validates the script at `path`.
    static func read(_ path: String) throws(CommandError) -> ScriptFile {
        let bytes = try FileReader.bytes(at: path, kind: .scripts)
        if let line = binaryChunkLine(bytes) {
            throw CommandError(
                "\(path):\(line): is a precompiled (binary) Lua chunk, not source text; "
                    + "submit the .lua source, the sandbox loads text only")
        }
        guard let source = String(validating: bytes, as: UTF8.self) else {
            throw CommandError(
                "\(path):\(firstInvalidLine(bytes)): is not valid UTF-8; save the script as UTF-8 text")
        }
        return ScriptFile(path: path, source: source)
    }

    /// The line where a binary chunk's signature byte (0x1B) starts the
    /// chunk: the first byte, or after a byte order mark, or after a first
    /// line starting with `#` (as `luaL_loadfile` and the checker look).
    static func binaryChunkLine(_ bytes: [UInt8]) -> Int? {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "#") {
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            index += 1
            line = 2
        }
        return index < bytes.count && bytes[index] == 0x1B ? line : nil
    }

    /// The 1-based line of the first byte sequence that is not UTF-8.
    static func firstInvalidLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        for chunk in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: chunk, as: UTF8.self) == nil { return line }
            line += 1
        }
        return line
    }
}
