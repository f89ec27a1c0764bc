/// A moment in time as whole seconds since 1970-01-01T00:00:00Z.
///
/// KeywardCore has no Foundation; a caller with a `Date` passes
/// `PasswordTimestamp(secondsSince1970: Int64(date.timeIntervalSince1970))`.
public struct PasswordTimestamp: Sendable, Hashable, Comparable {
    /// Seconds since the Unix epoch.
    public var secondsSince1970: Int64

    /// Creates a timestamp.
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// This moment plus `seconds`.
    public func adding(seconds: Int) -> PasswordTimestamp {
        PasswordTimestamp(secondsSince1970: secondsSince1970 + Int64(seconds))
    }

    /// Whether `lhs` is earlier than `rhs`.
    public static func < (lhs: PasswordTimestamp, rhs: PasswordTimestamp) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }
}

/// The minimum and maximum age rules of a policy, for a password last
/// changed at a given moment.
///
/// The minimum age is checked by ``PasswordValidator`` when a user changes
/// their own password (pass `lastChanged: nil` for an administrator's reset,
/// which the rule does not restrict). The maximum age is not a property of a
/// new password: the engine asks ``isExpired(lastChanged:policy:now:)`` to
/// decide when to require a change.
public enum PasswordAge {
    /// The earliest moment the password may be changed again; nil when the
    /// policy has no minimum age.
    public static func earliestChange(lastChanged: PasswordTimestamp, policy: PasswordPolicy) -> PasswordTimestamp? {
        policy.minAgeSeconds.map { lastChanged.adding(seconds: $0) }
    }

    /// The moment the password expires; nil when the policy has no maximum age.
    public static func expiry(lastChanged: PasswordTimestamp, policy: PasswordPolicy) -> PasswordTimestamp? {
        policy.maxAgeSeconds.map { lastChanged.adding(seconds: $0) }
    }

    /// Whether the password may be changed at `now`.
    public static func canChange(lastChanged: PasswordTimestamp, policy: PasswordPolicy, now: PasswordTimestamp) -> Bool {
        guard let earliest = earliestChange(lastChanged: lastChanged, policy: policy) else { return true }
        return now >= earliest
    }

    /// Whether the password is older than the policy's maximum age at `now`.
    public static func isExpired(lastChanged: PasswordTimestamp, policy: PasswordPolicy, now: PasswordTimestamp) -> Bool {
        guard let expiry = expiry(lastChanged: lastChanged, policy: policy) else { return false }
        return now >= expiry
    }

    /// A duration in words, largest two units: "2 days 3 hours", "5 minutes",
    /// "1 second".
    static func describe(seconds: Int64) -> String {
        let units: [(name: String, seconds: Int64)] = [("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1)]
        var remaining = max(seconds, 1)
        var parts: [String] = []
        for unit in units where parts.count < 2 {
            let amount = remaining / unit.seconds
            if amount > 0 {
                parts.append("\(amount) \(unit.name)\(amount == 1 ? "" : "s")")
                remaining -= amount * unit.seconds
            } else if !parts.isEmpty {
                break
            }
        }
        return parts.joined(separator: " ")
    }
}
