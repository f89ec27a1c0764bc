public import KeywardCore

/// Where and how ``SMTPMailer`` delivers: `mail.smtp` in keyward.yaml.
public struct SMTPConfiguration: Sendable {
    /// `smtp://host:port` (STARTTLS required; port 587 when none is given)
    /// or `smtps://host:port` (TLS from the first byte; port 465).
    public var url: String
    /// The login for SMTP AUTH; nil: no AUTH (a relay that trusts the network).
    public var username: String?
    /// Reads the AUTH password at the moment of sending (as connection
    /// secrets are: `${env:…}` or `${file:…}`, never a literal).
    public var password: (@Sendable () throws -> GuardedString)?
    /// Where the password is kept, as written (`${env:KEYWARD_SMTP_PASSWORD}`), for messages.
    public var passwordSource: String?
    /// A PEM file of the CAs to trust instead of the system's.
    public var caCertificate: String?
    /// How long connecting (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long one whole delivery may take.
    public var timeout: Duration

    /// Creates a configuration.
    public init(
        url: String, username: String? = nil, password: (@Sendable () throws -> GuardedString)? = nil,
        passwordSource: String? = nil, caCertificate: String? = nil, connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.username = username
        self.password = password
        self.passwordSource = passwordSource
        self.caCertificate = caCertificate
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}
