/// How the engine retries a system's operations after a transient failure
/// (`retry:` in a connector file): fixed or exponential backoff with a cap,
/// at most so many attempts, then the operation is `blocked`.
public struct RetryPolicy: Sendable, Equatable {
    /// How the wait grows between attempts.
    public enum Backoff: String, Sendable, CaseIterable {
        /// The same wait every time.
        case fixed
        /// The wait doubles after each attempt, up to the cap.
        case exponential
    }

    /// Attempts in all, the first included; then the operation is blocked.
    public var maxAttempts: Int
    /// How the wait grows.
    public var backoff: Backoff
    /// The wait after the first failed attempt, in seconds.
    public var delaySeconds: Int
    /// The longest wait, in seconds.
    public var maxDelaySeconds: Int

    /// Creates a policy. The default: 5 attempts, 30 s doubling up to 1 h.
    public init(maxAttempts: Int = 5, backoff: Backoff = .exponential, delaySeconds: Int = 30, maxDelaySeconds: Int = 3600) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.delaySeconds = delaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// The wait in seconds after failed attempt number `attempt` (1-based),
    /// never less than `minimum` (a system's own `Retry-After`).
    public func delay(afterAttempt attempt: Int, minimum: Double = 0) -> Double {
        let base: Double
        switch backoff {
        case .fixed:
            base = Double(delaySeconds)
        case .exponential:
            let doublings = min(max(attempt - 1, 0), 40)
            base = min(Double(delaySeconds) * Double(1 << UInt64(doublings)), Double(maxDelaySeconds))
        }
        return max(min(base, Double(maxDelaySeconds)), minimum)
    }
}
