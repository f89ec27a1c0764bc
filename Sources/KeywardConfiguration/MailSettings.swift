/// How Keyward sends notification mails: `mail:` in `keyward.yaml`.
///
/// ```yaml
/// mail:
///   from: Keyward <keyward@example.com>
///   smtp:
///     url: smtp://mail.example.com:587        # STARTTLS required; smtps:// for TLS on connect
///     username: keyward
///     password: ${env:KEYWARD_SMTP_PASSWORD}
///     caCertificate: /etc/ssl/corp-ca.pem
///   templates: templates
///   recipients:
///     all: [person]
///     reset: [person, manager]
/// ```
///
/// KeywardEngine's `SMTPMailer`, `FolderMailer`, `NotificationTemplates` and
/// `RecipientRules` take these values as they are (docs/notifications.md).
public struct MailSettings: Sendable, Equatable {
    /// The notification kinds, as recipient rules and template files name them.
    public static let notificationKinds = ["initialize-one-way", "initialize-two-way", "reset-one-way", "reset", "change", "unlock"]

    /// The sender: `Name <address>` or `address`.
    public var from: String
    /// Where mails go.
    public var transport: MailTransportSetting
    /// The templates folder, relative to `keyward.yaml`'s folder (default `templates`).
    public var templates: String
    /// `quoted-printable` (default) or `base64`.
    public var transferEncoding: String
    /// The time zone times are shown in (an IANA name, default `UTC`).
    public var timeZone: String
    /// Who gets each kind: kind names or `all` to lists of `person`,
    /// `manager` and addresses; kinds not named go to the person.
    public var recipients: [String: [String]]

    /// Creates settings.
    public init(
        from: String, transport: MailTransportSetting, templates: String = "templates",
        transferEncoding: String = "quoted-printable", timeZone: String = "UTC", recipients: [String: [String]] = [:]
    ) {
        self.from = from
        self.transport = transport
        self.templates = templates
        self.transferEncoding = transferEncoding
        self.timeZone = timeZone
        self.recipients = recipients
    }
}

/// Where notification mails go.
public enum MailTransportSetting: Sendable, Equatable {
    /// A mail server (`mail.smtp`).
    case smtp(SMTPSetting)
    /// `.eml` files in a folder, relative to `keyward.yaml`'s folder
    /// (`mail.folder`): for demos and tests.
    case folder(path: String)
}

/// `mail.smtp` in `keyward.yaml`.
public struct SMTPSetting: Sendable, Equatable {
    /// `smtp://host:port` (STARTTLS required) or `smtps://host:port`.
    public var url: String
    /// The AUTH login; nil: no AUTH.
    public var username: String?
    /// The AUTH password's reference (never a literal).
    public var password: SecretReference?
    /// A PEM file of the CAs to trust instead of the system's, relative to
    /// `keyward.yaml`'s folder.
    public var caCertificate: String?
    /// How long connecting may take, in seconds (default 10).
    public var connectTimeoutSeconds: Int
    /// How long one delivery may take, in seconds (default 60).
    public var timeoutSeconds: Int

    /// Creates settings.
    public init(
        url: String, username: String? = nil, password: SecretReference? = nil, caCertificate: String? = nil,
        connectTimeoutSeconds: Int = 10, timeoutSeconds: Int = 60
    ) {
        self.url = url
        self.username = username
        self.password = password
        self.caCertificate = caCertificate
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.timeoutSeconds = timeoutSeconds
    }
}

/// A connector file's `notifications:` (and its `description`, which
/// templates show).
public struct ConnectorNotifications: Sendable, Equatable {
    /// A folder whose templates replace the defaults for this system
    /// (instead of `TEMPLATES/SYSTEM/`), relative to `keyward.yaml`'s folder.
    public var templates: String?
    /// Who gets each kind on this system; replaces `mail.recipients` for
    /// the kinds it names (`all` names every kind).
    public var recipients: [String: [String]]
    /// The connector file's `description`.
    public var systemDescription: String?

    /// Creates settings.
    public init(templates: String? = nil, recipients: [String: [String]] = [:], systemDescription: String? = nil) {
        self.templates = templates
        self.recipients = recipients
        self.systemDescription = systemDescription
    }
}
