import CBareLua

/// The baseline: the chunk in a plain Lua state (CBareLua), timed in C.
final class BareLoop: @unchecked Sendable {
    private let loop: OpaquePointer
    private let input: [CChar]

    /// Opens a state and compiles ``Workload/chunk``.
    init() {
        var error = [CChar](repeating: 0, count: 256)
        let chunk = Array(Workload.chunk.utf8CString)
        guard let loop = CBareLua_open(chunk, chunk.count - 1, &error, error.count) else {
            fatalError("the bare loop cannot compile the chunk: \(Self.text(error))")
        }
        self.loop = loop
        self.input = Array(Workload.input.utf8CString)
    }

    deinit {
        CBareLua_close(loop)
    }

    /// Runs the chunk once and returns its result, to check the loop computes
    /// what Keyward computes.
    func runOnce() -> String? {
        var out = [CChar](repeating: 0, count: 256)
        guard CBareLua_run_once(loop, input, input.count - 1, &out, out.count) >= 0 else { return nil }
        return Self.text(out)
    }

    /// The text before the first NUL of a C buffer.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs `iterations` calls in C.
    func run(_ iterations: Int) {
        guard CBareLua_run(loop, input, input.count - 1, UInt64(iterations)) == 0 else {
            fatalError("a bare call failed")
        }
    }
}
