import Dispatch
import Foundation
public import Logging
import KeywardCore

/// Delivers notifications to a mail server over SMTP, through libcurl.
///
/// The connection is always encrypted and verified: `smtp://` must upgrade
/// with STARTTLS (a server that does not offer it is refused before any
/// command carrying an address, login or message is sent), `smtps://` is TLS
/// from the start; the server's certificate must chain to
/// ``SMTPConfiguration/caCertificate`` (or the system's CAs) and name the
/// host. With a username, Keyward logs in (AUTH) with the password read at
/// that moment from its reference.
///
/// libcurl blocks, so each delivery runs on a Dispatch queue, never on a
/// thread of Swift's cooperative pool; cancelling the task aborts it.
public struct SMTPMailer: Mailer {
    /// The configuration.
    public let configuration: SMTPConfiguration
    /// The URL curl connects to, with its port.
    public let url: String
    private let logger: Logger

    /// The queue every delivery blocks on (concurrent: deliveries do not wait for one another).
    private static let queue = DispatchQueue(label: "keyward.smtp", qos: .utility, attributes: .concurrent)

    /// Checks `configuration`.
    /// - Throws: ``MailError`` `configuration` for a URL that is not
    ///   `smtp://host[:port]` or `smtps://host[:port]` (a login in the URL is
    ///   refused: it goes in `username` and `password`), or a username
    ///   without a password.
    public init(configuration: SMTPConfiguration, logger: Logger = Logger(label: "keyward.mail")) throws(MailError) {
        self.configuration = configuration
        self.url = try Self.checkedURL(configuration.url)
        self.logger = logger
        if configuration.username != nil, configuration.password == nil {
            throw MailError(.configuration, "`mail.smtp.username` is set without `mail.smtp.password`; give both, or neither")
        }
    }

    public func send(_ message: OutgoingMail) async throws(MailError) {
        let password = try readPassword()
        let transfer = CurlSMTPTransfer(
            url: url, username: configuration.username, password: password,
            caCertificate: configuration.caCertificate,
            connectTimeoutMilliseconds: Self.milliseconds(configuration.connectTimeout),
            timeoutMilliseconds: Self.milliseconds(configuration.timeout), sender: message.sender.address,
            recipients: message.recipients.map(\.address), message: message.message)
        let flag = CancellationFlag()
        let started = ContinuousClock.now
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Self.queue.async { continuation.resume(returning: transfer.perform(cancelled: flag)) }
            }
        } onCancel: {
            flag.cancel()
        }
        let elapsed = ContinuousClock.now - started
        let metadata: Logger.Metadata = [
            "kind": "\(message.kind.rawValue)", "system": "\(message.system)", "username": "\(message.username)",
            "recipients": "\(message.recipients.count)", "messageID": "\(message.messageID)",
            "milliseconds": "\(Self.milliseconds(elapsed))",
        ]
        if let error = SMTPFailure(outcome: outcome, url: url, configuration: configuration, message: message, password: password)
            .error
        {
            logger.warning("mail not sent", metadata: metadata.merging(["error": "\(error.kind.rawValue)"]) { $1 })
            throw error
        }
        logger.info("mail sent", metadata: metadata)
    }

    private func readPassword() throws(MailError) -> GuardedString? {
        guard let read = configuration.password else { return nil }
        do {
            return try read()
        } catch {
            throw MailError(
                .configuration,
                "the SMTP password \(configuration.passwordSource.map { "(\($0)) " } ?? "")cannot be read: \(error)")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// `smtp://host:port` with the default port filled in.
    static func checkedURL(_ text: String) throws(MailError) -> String {
        let hint = "write `smtp://HOST:587` (STARTTLS) or `smtps://HOST:465` (TLS)"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty
        else { throw MailError(.configuration, "`mail.smtp.url` `\(text)` is not an SMTP URL; \(hint)") }
        guard components.user == nil, components.password == nil else {
            throw MailError(
                .configuration,
                "`mail.smtp.url` holds a login; remove it (not repeated here) and use `mail.smtp.username` and `mail.smtp.password`")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil else {
            throw MailError(.configuration, "`mail.smtp.url` has a path or query; \(hint)")
        }
        let port = components.port ?? (scheme == "smtps" ? 465 : 587)
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart):\(port)"
    }
}
