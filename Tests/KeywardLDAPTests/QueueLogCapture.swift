import Logging
import Synchronization

/// The lines a ``QueueLogHandler`` received.
final class QueueLogCapture: Sendable {
    private let recorded = Mutex<[String]>([])

    var lines: [String] { recorded.withLock { $0 } }

    func append(_ line: String) {
        recorded.withLock { $0.append(line) }
    }
}

/// Keeps every log line, with its metadata and error, in memory (tests never
/// bootstrap the logging system).
struct QueueLogHandler: LogHandler {
    let capture: QueueLogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        var line = "\(event.level) \(event.message)"
        if !merged.isEmpty { line += " \(merged)" }
        if let error = event.error { line += " error: \(String(reflecting: error))" }
        capture.append(line)
    }
}
