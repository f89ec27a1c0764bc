import Foundation
import KeywardConnectors

/// An OAuth 2 access token and when to stop using it.
///
/// The token is a bearer credential that lives for an hour at most; it is
/// kept as a `String` because the HTTP client's headers take one, and it is
/// never logged or put in an error.
struct AccessToken: Sendable, Equatable {
    /// The token, for `Authorization: Bearer …`.
    let value: String
    /// When to fetch a new one: five minutes before it expires, or a tenth
    /// of its lifetime before that for a short-lived token.
    let refreshAt: Date

    /// The margin kept before expiry for a token that lives `lifetime` seconds.
    static func margin(forLifetime lifetime: Double) -> Double {
        min(300, lifetime / 10)
    }

    /// Creates a token that expires `lifetime` seconds after `issued`.
    init(value: String, lifetime: Double, issued: Date) {
        self.value = value
        refreshAt = issued.addingTimeInterval(lifetime - Self.margin(forLifetime: lifetime))
    }

    /// Reads an OAuth 2 token response (RFC 6749, section 5.1):
    /// `access_token`, `token_type` Bearer, `expires_in` (a number or, as
    /// some servers send it, a string of digits).
    /// - Returns: nil when the body is not such a response.
    init?(response: CloudResponse, issued: Date) {
        guard let object = response.jsonObject, let value = object["access_token"] as? String, !value.isEmpty,
            (object["token_type"] as? String)?.lowercased() ?? "bearer" == "bearer"
        else { return nil }
        let lifetime: Double
        switch object["expires_in"] {
        case let number as NSNumber: lifetime = number.doubleValue
        case let text as String: guard let number = Double(text) else { return nil }; lifetime = number
        default: lifetime = 3600
        }
        guard lifetime > 0 else { return nil }
        self.init(value: value, lifetime: lifetime, issued: issued)
    }
}
