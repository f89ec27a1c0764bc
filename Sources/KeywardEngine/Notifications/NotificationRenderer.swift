public import Foundation
public import KeywardCore
import Mustache

/// Turns a notification's templates, facts and secrets into an
/// ``OutgoingMail``.
///
/// The password never becomes a Swift `String`: the templates are rendered
/// with a random placeholder (128 bits, letters and digits only, so that
/// HTML escaping leaves it alone) in the place of `{{password}}` and
/// `{{link}}`; the message is then built in a wiped buffer, with the
/// secret's bytes copied in at each placeholder — HTML-escaped in the HTML
/// part — and only then encoded (quoted-printable or base64). The subject
/// can never hold a secret: the templates refuse it at load, and a rendered
/// subject holding a placeholder is refused again here.
public struct NotificationRenderer: Sendable {
    /// The templates.
    public var templates: NotificationTemplates
    /// Who gets which mail.
    public var recipients: RecipientRules
    /// The `From` address and envelope sender.
    public var sender: MailAddress
    /// How the text and HTML parts are encoded.
    public var encoding: TransferEncoding
    /// The time zone times are shown in.
    public var timeZone: TimeZone

    /// Creates a renderer.
    public init(
        templates: NotificationTemplates, recipients: RecipientRules = RecipientRules(), sender: MailAddress,
        encoding: TransferEncoding = .quotedPrintable, timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        self.templates = templates
        self.recipients = recipients
        self.sender = sender
        self.encoding = encoding
        self.timeZone = timeZone
    }

    /// Renders the `kind` mail about `context`.
    ///
    /// - Parameters:
    ///   - password: the password, for `initialize-one-way` only (required there).
    ///   - link: the one-time link, for `initialize-two-way` (required there).
    /// - Returns: The mail, or nil when the rules give this kind no recipient
    ///   on this system (the notification is switched off).
    /// - Throws: ``MailError``: `missingAddress` (naming the person and the
    ///   system), `invalidAddress`, or `template` when a secret is missing
    ///   where it belongs, given where it does not, or would reach the subject.
    public func render(
        kind: NotificationKind, context: NotificationContext, password: GuardedString? = nil, link: GuardedString? = nil
    ) throws(MailError) -> OutgoingMail? {
        let system = context.system.name
        if kind.carriesPassword != (password != nil) {
            throw MailError(
                .template,
                kind.carriesPassword
                    ? "the \(kind.rawValue) mail about \(context.person.username) on \(system) needs the password"
                    : "a \(kind.rawValue) mail is a confirmation and carries no password; none may be given")
        }
        if kind == .initializeTwoWay, link == nil {
            throw MailError(.template, "the initialize-two-way mail about \(context.person.username) on \(system) needs the link")
        }
        let to = try recipients.addresses(for: kind, system: system, person: context.person)
        guard !to.isEmpty else { return nil }

        var secrets: [String: GuardedString] = [:]
        var placeholders: [String: String] = [:]
        for (name, secret) in [("password", password), ("link", link)] {
            guard let secret else { continue }
            let placeholder = "KWSECRET" + MessageBuilder.randomHex(bytes: 16) + "X"
            secrets[placeholder] = secret
            placeholders[name] = placeholder
        }
        let values = context.values(kind: kind, timeZone: timeZone, secrets: placeholders)
        let set = templates.templates(for: kind, system: system)
        let subject = set.subject.template.render(values).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !secrets.keys.contains(where: subject.contains) else {
            throw MailError(.template, "\(set.subject.path): the rendered subject holds a secret; it was not sent")
        }
        let text = Self.segments(set.text.template.render(values), secrets: secrets)
        let html = Self.segments(set.html.template.render(values), secrets: secrets)
        let required = kind == .initializeTwoWay ? link.map { ("link", $0) } : password.map { ("password", $0) }
        if let (name, secret) = required {
            for (segments, template) in [(text, set.text), (html, set.html)]
            where !segments.contains(where: { if case .secret(let shown) = $0 { shown === secret } else { false } }) {
                throw MailError(.template, "\(template.path): rendered without the \(name) (is `{{\(name)}}` inside a section?)")
            }
        }
        let now = Date()
        let messageID = "\(Int(now.timeIntervalSince1970)).\(MessageBuilder.randomHex(bytes: 12))@\(sender.domain)"
        let builder = MessageBuilder(
            sender: sender, recipients: to, subject: subject, date: now, messageID: messageID, encoding: encoding)
        let message = builder.build(text: text, html: html).makeGuardedString()
        return OutgoingMail(
            kind: kind, system: system, username: context.person.username, sender: sender, recipients: to,
            messageID: messageID, subject: subject, message: message, carriesSecret: !secrets.isEmpty)
    }

    /// `rendered` cut at every placeholder, the secret in its place.
    static func segments(_ rendered: String, secrets: [String: GuardedString]) -> [MessageBuilder.Segment] {
        var segments: [MessageBuilder.Segment] = []
        var rest = rendered[...]
        while true {
            let next = secrets.keys.compactMap { key in rest.range(of: key).map { (key, $0) } }
                .min { $0.1.lowerBound < $1.1.lowerBound }
            guard let (key, range) = next else { break }
            segments.append(.text(String(rest[..<range.lowerBound])))
            segments.append(.secret(secrets[key]!))
            rest = rest[range.upperBound...]
        }
        segments.append(.text(String(rest)))
        return segments
    }
}
