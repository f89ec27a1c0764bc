import Foundation

/// The bearer tokens a fake service issued, each with its expiry: a token
/// is good until it expires, or until a test expires them all, at once or
/// after so many more requests (a token that runs out in the middle of a
/// batch).
struct FakeBearerTokens: Sendable {
    private var expiries: [String: Date] = [:]
    private var requestsUntilExpiry: Int?
    /// Whether every token is refused (consent revoked).
    var refusesAll = false
    /// How many tokens were issued.
    private(set) var issued = 0

    /// A new token good for `lifetime` seconds from `now`.
    mutating func issue(lifetime: Int, now: Date) -> String {
        let token = "fake-" + UUID().uuidString + UUID().uuidString
        expiries[token] = now.addingTimeInterval(Double(lifetime))
        issued += 1
        return token
    }

    /// Whether `header` is `Bearer TOKEN` with a good token. Counts the
    /// request towards ``expire(afterRequests:)`` when it is.
    mutating func accepts(_ header: String?, now: Date) -> Bool {
        guard !refusesAll, let header, header.hasPrefix("Bearer "), let expiry = expiries[String(header.dropFirst(7))],
            now < expiry
        else { return false }
        if let remaining = requestsUntilExpiry {
            if remaining <= 1 {
                expireAll()
            } else {
                requestsUntilExpiry = remaining - 1
            }
        }
        return true
    }

    /// Expires every token issued so far once `count` more requests used one.
    mutating func expire(afterRequests count: Int) {
        requestsUntilExpiry = count
    }

    /// Expires every token issued so far.
    mutating func expireAll() {
        expiries = expiries.mapValues { _ in .distantPast }
        requestsUntilExpiry = nil
    }
}

/// Faults a test asks a fake to show for its next requests: "too many
/// requests" or "unavailable" with a `Retry-After`, or an HTML page.
struct FakeFaults: Sendable {
    /// What the next requests get.
    enum Fault: Sendable {
        case throttle(status: Int, retryAfter: String?)
        case html
    }

    private var queue: [Fault] = []

    /// The next `count` requests get `fault`.
    mutating func add(_ fault: Fault, count: Int) {
        queue += Array(repeating: fault, count: count)
    }

    /// The fault for this request, if one is due.
    mutating func next() -> Fault? {
        queue.isEmpty ? nil : queue.removeFirst()
    }
}
