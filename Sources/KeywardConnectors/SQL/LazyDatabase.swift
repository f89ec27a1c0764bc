import GRDB
import Synchronization

/// The target's SQLite file, opened on first use rather than when the
/// connector is made: a target that is locked or busy when Keyward starts
/// delays its own operations (which retry), not every other system's.
final class LazyDatabase: Sendable {
    private let path: String
    private let configuration: Configuration
    private let opened = Mutex<DatabaseQueue?>(nil)

    init(path: String, configuration: Configuration) {
        self.path = path
        self.configuration = configuration
    }

    /// The open queue; opens it the first time.
    func queue() throws -> DatabaseQueue {
        try opened.withLock { opened in
            if let opened { return opened }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            opened = queue
            return queue
        }
    }
}
