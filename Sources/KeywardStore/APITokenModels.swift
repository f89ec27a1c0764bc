public import Foundation
import Crypto

/// An API client's bearer token, as stored: its name, scopes and dates, and
/// only the SHA-256 hash of the secret (``APITokenSecret``), never the
/// secret itself.
public struct APIToken: Sendable, Equatable {
    /// The row's number.
    public var id: Int64
    /// The client's name (`ci-bot`), unique; in the audit log as `api:NAME`.
    public var name: String
    /// What it may do (`reset`, `queue:read`, …; the server knows them).
    public var scopes: [String]
    /// Who created it (`cli:alice`).
    public var createdBy: String
    /// When.
    public var createdAt: Date
    /// When it stops working (nil: never).
    public var expiresAt: Date?
    /// When it was last presented, to the minute (nil: never).
    public var lastUsedAt: Date?
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a record.
    public init(
        id: Int64 = 0, name: String, scopes: [String], createdBy: String, createdAt: Date, expiresAt: Date? = nil,
        lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether it expired by `now`.
    public func isExpired(at now: Date) -> Bool {
        expiresAt.map { $0 <= now } ?? false
    }
}

/// The secret of an API token: `kw_` and 256 random bits in base64url (43
/// characters). Shown once when it is created; the store keeps ``hash`` only.
public enum APITokenSecret {
    /// What every token starts with (so a leaked one is recognizable, and a
    /// secret scanner can find it).
    public static let prefix = "kw_"

    /// A new secret from the system's cryptographic random source.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of `secret`: its SHA-256.
    ///
    /// A token is found by an indexed lookup of this hash, so no stored
    /// value is ever compared byte by byte with what a client sent: the
    /// timing of the lookup depends on the hash (which an attacker cannot
    /// steer toward a stored one), not on how much of a secret matched.
    /// Constant-time comparison is therefore moot here.
    public static func hash(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }
}

/// A token just created: the record and the secret, to show once.
public struct IssuedAPIToken: Sendable {
    /// The stored record.
    public var token: APIToken
    /// The secret (never stored, never logged).
    public var secret: String

    /// Creates an issued token (a store does).
    package init(token: APIToken, secret: String) {
        self.token = token
        self.secret = secret
    }
}
