import KeywardCore

/// Turns what libcurl said about a delivery into a ``MailError`` with an
/// action a person can take.
///
/// curl's own error text is added only when it holds no secret: not the
/// SMTP password, and no run of 8 bytes of the message.
struct SMTPFailure {
    var outcome: CurlSMTPTransfer.Outcome
    var url: String
    var configuration: SMTPConfiguration
    var message: OutgoingMail
    var password: GuardedString?

    /// The error; nil when the mail was sent.
    var error: MailError? {
        let code = outcome.code
        guard code != 0 else { return nil }
        let reply = outcome.responseCode
        let server = "the SMTP server \(url)"
        let mail = "the \(message.kind.rawValue) mail about \(message.username) on \(message.system)"
        let detail = screenedDetail.map { " (curl: \($0))" } ?? ""
        func error(_ kind: MailError.Kind, _ text: String) -> MailError {
            MailError(kind, text, smtpCode: reply > 0 ? reply : nil, curlCode: code)
        }
        switch code {
        case 42:
            return error(.cancelled, "sending \(mail) was cancelled")
        case 1, 3:
            return error(.configuration, "\(server) is not a URL curl accepts\(detail); write smtp://HOST:587 or smtps://HOST:465")
        case 6:
            return error(.unreachable, "cannot resolve the host of \(server)\(detail); check `mail.smtp.url` and DNS")
        case 7:
            return error(
                .unreachable,
                "cannot connect to \(server): the connection was refused or the host is unreachable\(detail); "
                    + "check the host and port in `mail.smtp.url` and that the server is running")
        case 28:
            return error(
                .timedOut,
                "\(server) did not answer in time (connect \(Self.seconds(configuration.connectTimeout)), whole delivery "
                    + "\(Self.seconds(configuration.timeout)))\(detail); \(mail) will be tried again")
        case 35:
            return error(.tlsFailed, "the TLS handshake with \(server) failed\(detail); check that the port speaks TLS (smtps) or STARTTLS (smtp)")
        case 60:
            return error(
                .certificateUntrusted,
                "\(server) presented a certificate Keyward does not trust, or one that does not name the host\(detail); "
                    + "set `mail.smtp.caCertificate` to the PEM file of the CA that signed it, and use the host name "
                    + "the certificate holds")
        case 58, 77:
            return error(
                .configuration,
                "the CA file `\(configuration.caCertificate ?? "(system default)")` cannot be used\(detail); "
                    + "`mail.smtp.caCertificate` must be a readable PEM file")
        case 64:
            return error(
                .tlsUnavailable,
                "\(server) does not offer STARTTLS, and Keyward sends nothing over an unencrypted connection: nothing "
                    + "was sent; enable STARTTLS on the server, or use smtps:// if it speaks TLS on another port")
        case 67, 94:
            let user = configuration.username.map { "`\($0)`" } ?? "(no username)"
            let source = configuration.passwordSource.map { " (read from \($0))" } ?? ""
            return error(
                .authenticationFailed,
                "\(server) refused the login of \(user)\(reply > 0 ? " (\(reply))" : "")\(detail); check "
                    + "`mail.smtp.username` and the password\(source)")
        default:
            return replyError(error, server: server, mail: mail, detail: detail)
        }
    }

    /// Failures known by the SMTP reply (curl 55, 56, 8 and the like).
    private func replyError(
        _ error: (MailError.Kind, String) -> MailError, server: String, mail: String, detail: String
    ) -> MailError {
        let reply = outcome.responseCode
        let recipients = message.recipients.map(\.address).joined(separator: ", ")
        if reply == 530 {
            return error(
                .authenticationRequired,
                "\(server) requires a login (530)\(detail); set `mail.smtp.username` and `mail.smtp.password`")
        }
        if outcome.errorText.hasPrefix("MAIL failed") {
            return error(
                .senderRejected,
                "\(server) refused the sender \(message.sender.address) (\(reply))\(detail); check `mail.from`: "
                    + "the server must accept it for Keyward's login")
        }
        if outcome.errorText.hasPrefix("RCPT failed") {
            return error(
                .recipientRejected,
                "\(server) refused a recipient of \(mail) (\(reply)): one of \(recipients)\(detail); check the "
                    + "addresses (the identity's email, the recipient rules)")
        }
        if (400..<500).contains(reply) {
            return error(.serverBusy, "\(server) is not accepting \(mail) now (\(reply))\(detail); it will be tried again")
        }
        if reply >= 500 {
            return error(.messageRejected, "\(server) refused \(mail) (\(reply))\(detail); see the server's log for why")
        }
        if outcome.code == 55 || outcome.code == 56 {
            return error(.connectionLost, "the connection to \(server) broke off while sending \(mail)\(detail); it will be tried again")
        }
        return error(.failed, "sending \(mail) through \(server) failed (curl \(outcome.code))\(detail)")
    }

    /// curl's error text, if it holds no secret.
    private var screenedDetail: String? {
        let text = outcome.errorText.trimmingWhitespace
        guard !text.isEmpty else { return nil }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { detail in
            if let password, !password.isEmpty, password.withUnsafeBytes({ Self.contains(detail, $0) }) { return nil }
            let window = min(8, detail.count)
            let leaks = message.message.withUnsafeBytes { body in
                (0...(detail.count - window)).contains { start in
                    Self.contains(body, UnsafeRawBufferPointer(rebasing: detail[start..<(start + window)]))
                }
            }
            return leaks ? nil : text
        }
    }

    /// Whether `haystack` holds `needle` anywhere (in place: no copy of either).
    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        guard needle.count > 0, needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start] == needle[0] && (1..<needle.count).allSatisfy { haystack[start + $0] == needle[$0] }
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }
}
