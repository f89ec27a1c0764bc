public import Foundation
import Synchronization

/// A clock the test moves by hand.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    /// A clock showing `start`.
    public init(_ start: Date) {
        current = Mutex(start)
    }

    /// What it shows.
    public func now() -> Date {
        current.withLock { $0 }
    }

    /// Moves it forward.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
