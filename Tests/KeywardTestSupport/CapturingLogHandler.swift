public import Logging
import Synchronization

/// The lines a ``CapturingLogHandler`` received.
public final class LogCapture: Sendable {
    private let recorded = Mutex<[String]>([])

    /// An empty capture.
    public init() {}

    public var lines: [String] { recorded.withLock { $0 } }

    public func append(_ line: String) {
        recorded.withLock { $0.append(line) }
    }
}

/// Keeps every log line, with its metadata and error, in memory (tests never
/// bootstrap the logging system).
public struct CapturingLogHandler: LogHandler {
    public let capture: LogCapture
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    /// A handler that appends to `capture`.
    public init(capture: LogCapture) {
        self.capture = capture
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        var line = "\(event.level) \(event.message)"
        if !merged.isEmpty { line += " \(merged)" }
        if let error = event.error { line += " error: \(String(reflecting: error))" }
        capture.append(line)
    }
}
