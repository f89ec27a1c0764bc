public import Foundation

/// A token bucket per key (a client address, an account): `capacity`
/// attempts at once, refilled evenly over `period`. Keys idle long enough to
/// be full again are forgotten, so the table stays small.
public actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let capacity: Double
    private let refillPerSecond: Double
    private var buckets: [String: Bucket] = [:]
    private var lastSweep = Date.distantPast

    /// A limiter allowing `capacity` attempts per `period`.
    public init(capacity: Int, period: Duration) {
        self.capacity = Double(max(1, capacity))
        let seconds = Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18
        self.refillPerSecond = self.capacity / max(seconds, 0.001)
    }

    /// Takes one attempt for `key`; false when its bucket is empty.
    public func allow(_ key: String, now: Date) -> Bool {
        sweep(now)
        var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
        let elapsed = max(0, now.timeIntervalSince(bucket.updated))
        bucket.tokens = min(capacity, bucket.tokens + elapsed * refillPerSecond)
        bucket.updated = now
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        buckets[key] = bucket
        return allowed
    }

    /// Seconds until `key` has an attempt again (for `Retry-After`).
    public func retryAfter(_ key: String, now: Date) -> Int {
        guard let bucket = buckets[key] else { return 0 }
        let tokens = min(capacity, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * refillPerSecond)
        return tokens >= 1 ? 0 : Int(((1 - tokens) / refillPerSecond).rounded(.up))
    }

    private func sweep(_ now: Date) {
        guard now.timeIntervalSince(lastSweep) > 60 else { return }
        lastSweep = now
        let full = capacity / refillPerSecond
        buckets = buckets.filter { now.timeIntervalSince($0.value.updated) < full }
    }
}

/// The limits on password and token attempts, per client address and per
/// account, shared by the API and the pages (so switching between them does
/// not buy more guesses).
public struct AttemptLimits: Sendable {
    /// Per client address.
    public let perClient: RateLimiter
    /// Per account (`username`, or the link's account).
    public let perAccount: RateLimiter
    private let now: @Sendable () -> Date

    /// Limits from the settings.
    public init(settings: ServerSettings) {
        perClient = RateLimiter(capacity: settings.attemptsPerClientPerMinute, period: .seconds(60))
        perAccount = RateLimiter(capacity: settings.attemptsPerAccountPerHour, period: .seconds(3600))
        now = settings.now
    }

    /// Takes one attempt for the client and, when known, the account. Nil
    /// when allowed; otherwise the seconds to wait.
    public func attempt(client: String, account: String?) async -> Int? {
        let at = now()
        guard await perClient.allow(client, now: at) else { return max(1, await perClient.retryAfter(client, now: at)) }
        if let account {
            guard await perAccount.allow(account, now: at) else {
                return max(1, await perAccount.retryAfter(account, now: at))
            }
        }
        return nil
    }
}
