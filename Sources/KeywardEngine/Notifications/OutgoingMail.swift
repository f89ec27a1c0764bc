public import KeywardCore

/// One rendered notification, ready for a ``Mailer``: the envelope and the
/// whole RFC 5322 message.
///
/// The message bytes live in a `GuardedString`, wiped when the last copy
/// of the mail is released: a one-way initialization mail holds the
/// password, a two-way one holds the one-time link (``carriesSecret``).
/// Printing the mail shows its envelope and subject, never its body.
public struct OutgoingMail: Sendable, CustomStringConvertible {
    /// The notification this is.
    public var kind: NotificationKind
    /// The system the operation was on.
    public var system: String
    /// The person the operation was for.
    public var username: String
    /// The envelope sender (`MAIL FROM`), also the `From` header.
    public var sender: MailAddress
    /// The envelope recipients (`RCPT TO`), also the `To` header.
    public var recipients: [MailAddress]
    /// The `Message-ID`, without angle brackets.
    public var messageID: String
    /// The subject, as rendered (it never holds a secret).
    public var subject: String
    /// The message: headers and body, CRLF line ends, ready for `DATA`.
    public var message: GuardedString
    /// Whether the body holds a secret (the password or the one-time link):
    /// such a mail is kept only in confidential storage until it is sent.
    public var carriesSecret: Bool

    /// Creates a mail; ``NotificationRenderer`` is the usual way.
    public init(
        kind: NotificationKind, system: String, username: String, sender: MailAddress, recipients: [MailAddress],
        messageID: String, subject: String, message: GuardedString, carriesSecret: Bool
    ) {
        self.kind = kind
        self.system = system
        self.username = username
        self.sender = sender
        self.recipients = recipients
        self.messageID = messageID
        self.subject = subject
        self.message = message
        self.carriesSecret = carriesSecret
    }

    /// The kind, system, person, recipients and Message-ID: never the body.
    public var description: String {
        let to = recipients.map(\.address).joined(separator: ", ")
        return "\(kind.rawValue) mail about \(username) on \(system) to \(to) (Message-ID <\(messageID)>)"
    }
}
