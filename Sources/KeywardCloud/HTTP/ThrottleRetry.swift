import Foundation
import KeywardConnectors
import Logging

/// The bounded wait inside one attempt when a service answers 429 (too many
/// requests) or 503 (unavailable): up to ``retries`` more tries, each after
/// the wait its `Retry-After` asks for (1 s, then 2 s, … without one), as
/// long as that wait is at most ``longestWait``. Past that, the last
/// response goes back to the connector, which reports
/// ``ConnectorError/Kind/throttled`` with the wait, and the queue's backoff
/// takes over.
struct ThrottleRetry: Sendable {
    /// Tries after the first, at most.
    var retries = 2
    /// The longest wait spent inside an attempt.
    var longestWait: Duration = .seconds(10)
    /// Waits (tests record the wait instead).
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// The time `Retry-After` dates are counted from.
    var now: @Sendable () -> Date = { Date() }

    /// Whether a status asks to slow down.
    static func isThrottling(_ status: Int) -> Bool { status == 429 || status == 503 }

    /// Runs `exchange` until it is not throttled, or the retries or the
    /// longest wait are used up; returns the last response.
    func run(
        _ label: String, logger: Logger, _ exchange: () async throws(ConnectorError) -> CloudResponse
    ) async throws(ConnectorError) -> CloudResponse {
        var retry = 0
        while true {
            let response = try await exchange()
            guard Self.isThrottling(response.status), retry < retries else { return response }
            let wait = RetryAfter.parse(response.header("Retry-After"), now: now()) ?? .seconds(1 << retry)
            guard wait <= longestWait else { return response }
            retry += 1
            logger.notice(
                "\(label) answered \(response.status); trying again in \(wait) (\(retry) of \(retries))",
                metadata: RequestIDs.metadata(of: response))
            do {
                try await sleep(wait)
            } catch {
                throw ConnectorError(.failed, "\(label): cancelled while waiting to try again after \(response.status)")
            }
        }
    }
}
