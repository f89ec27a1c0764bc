import Foundation
import Logging

/// What code (tests, embedding) can set on a cloud connector and a
/// connector file cannot: where its log lines go, the wait on 429 and 503,
/// and the clock.
struct CloudConnectorOptions: Sendable {
    /// Where request lines go (`keyward.cloud.NAME` by default).
    var logger: Logger?
    /// The wait on 429 and 503 inside one attempt.
    var throttling = ThrottleRetry()
    /// The clock tokens expire by.
    var now: @Sendable () -> Date = { Date() }

    /// The logger for system `name`.
    func logger(for name: String) -> Logger {
        logger ?? Logger(label: "keyward.cloud.\(name)")
    }
}
