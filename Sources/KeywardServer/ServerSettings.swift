public import Foundation

/// How `keyward serve` behaves toward its clients.
public struct ServerSettings: Sendable {
    /// The address people reach the server at, ending without a slash
    /// (`https://keyward.example.com`); links in mail start with it.
    public var publicURL: String
    /// Whether people reach it over HTTPS (directly or behind a proxy that
    /// terminates TLS): cookies get `Secure`, responses HSTS.
    public var secureTransport: Bool
    /// Password and token attempts allowed per client address per minute.
    public var attemptsPerClientPerMinute: Int
    /// Password attempts allowed per account per hour.
    public var attemptsPerAccountPerHour: Int
    /// How long a helpdesk sign-in lasts.
    public var sessionLifetime: Duration
    /// The clock.
    public var now: @Sendable () -> Date

    /// Creates settings.
    public init(
        publicURL: String, secureTransport: Bool = false, attemptsPerClientPerMinute: Int = 30,
        attemptsPerAccountPerHour: Int = 10, sessionLifetime: Duration = .seconds(8 * 3600),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.secureTransport = secureTransport
        self.attemptsPerClientPerMinute = attemptsPerClientPerMinute
        self.attemptsPerAccountPerHour = attemptsPerAccountPerHour
        self.sessionLifetime = sessionLifetime
        self.now = now
    }

    /// Where a two-way link points: the set-password page.
    public var linkBase: String { publicURL + "/set-password/" }
}
