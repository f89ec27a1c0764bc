import Synchronization

/// Watches what a plugin writes to stderr for one marker (the conformance
/// suite's canary password), and counts the bytes. It keeps nothing but
/// the last few bytes needed to find a marker split across two reads, so
/// it can report whether the marker appeared without ever showing the text.
public final class StderrWatch: Sendable {
    private struct State {
        var total = 0
        var found = false
        var tail: [UInt8] = []
    }

    private let marker: [UInt8]
    private let state = Mutex(State())

    /// Watches for `marker` (UTF-8).
    public init(marker: String) {
        self.marker = Array(marker.utf8)
    }

    /// The bytes seen so far.
    public var byteCount: Int { state.withLock { $0.total } }
    /// Whether the marker appeared.
    public var sawMarker: Bool { state.withLock { $0.found } }

    /// Takes the next bytes the plugin wrote.
    func observe(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            state.total += bytes.count
            guard !state.found, !marker.isEmpty else { return }
            let window = state.tail + Array(bytes)
            state.found = window.withUnsafeBytes { haystack in
                marker.withUnsafeBytes { ByteSearch.contains($0, in: haystack) }
            }
            state.tail = Array(window.suffix(marker.count - 1))
        }
    }
}
