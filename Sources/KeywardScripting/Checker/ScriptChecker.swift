/// The security checker: reads a transformation script before it ever runs
/// and reports what the sandbox would refuse or what looks like a mistake.
///
/// It is early feedback, never the only wall: the runtime sandbox holds on
/// its own. The checker lexes and parses the whole of Lua 5.4, resolves every
/// name to a local or a global, and applies the rules of ``CheckRule``,
/// taking the globals, library members and handle methods a script may use
/// from `SandboxAllowList`, the list the sandbox itself is built from.
///
/// ```swift
/// let report = ScriptChecker().check(source: script, path: "scripts/ldap.lua")
/// if report.hasErrors { print(CheckReport.text([report])) }
/// ```
///
/// Checking takes time linear in the size of the script; a syntax error stops
/// the check at the first error (KW008), as Lua's compiler stops.
public struct ScriptChecker: Sendable {
    /// What the checked scripts may do.
    public var policy: CheckPolicy

    /// Creates a checker; by default scripts may not call `reveal()`.
    public init(policy: CheckPolicy = .init()) {
        self.policy = policy
    }

    /// Checks a script given as text.
    ///
    /// - Parameters:
    ///   - source: The script.
    ///   - path: The path the report names (it is not read).
    public func check(source: String, path: String) -> CheckReport {
        check(bytes: Array(source.utf8), path: path)
    }

    /// Checks a script given as the bytes of its file, which need not be
    /// valid UTF-8 (Lua source is bytes).
    public func check(bytes: [UInt8], path: String) -> CheckReport {
        CheckReport(path: path, findings: findings(in: bytes))
    }

    func findings(in source: [UInt8]) -> [Finding] {
        if let position = ScriptChecker.binaryChunkPosition(in: source) {
            return [
                Finding(
                    rule: .binaryChunk,
                    at: position,
                    message: "the file is a precompiled (binary) Lua chunk, not source text"
                )
            ]
        }
        let chunk: LuaChunk
        let resolution: NameResolution
        do throws(LuaSyntaxError) {
            chunk = try LuaParser.parse(source)
            resolution = try ScopeResolver.resolve(chunk)
        } catch {
            return [Finding(rule: .syntaxError, at: error.position, message: error.message)]
        }
        if chunk.block.statements.isEmpty {
            return [
                Finding(
                    rule: .missingReturn,
                    line: 1,
                    column: 1,
                    message: "the script is empty (only whitespace and comments): it returns no value, "
                        + "so the sandbox would fail it with badReturn"
                )
            ]
        }
        return ChunkAnalyzer.analyze(chunk, resolution: resolution, policy: policy)
    }

    /// Where a binary chunk's signature byte (0x1B, `"\27Lua"`) starts the
    /// chunk: at its first byte, or after a byte order mark or a first line
    /// starting with `#`, which `luaL_loadfile` skips before looking.
    static func binaryChunkPosition(in source: [UInt8]) -> LuaSourcePosition? {
        var index = source.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        if index < source.count, Int(source[index]) == LuaByte.hash {
            while index < source.count, source[index] != UInt8(LuaByte.lineFeed) {
                index += 1
            }
            index += 1
            line = 2
        }
        guard index < source.count, Int(source[index]) == LuaByte.escape else { return nil }
        return LuaSourcePosition(line: line, column: 1, offset: index)
    }
}
