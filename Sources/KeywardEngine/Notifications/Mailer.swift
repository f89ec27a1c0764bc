/// Something that delivers notification mails: ``SMTPMailer`` (a real mail
/// server) or ``FolderMailer`` (`.eml` files, for demos and tests).
public protocol Mailer: Sendable {
    /// Delivers `message` to every one of its recipients, or to none.
    /// - Throws: ``MailError``; see ``MailError/isTransient`` for whether to
    ///   try again later.
    func send(_ message: OutgoingMail) async throws(MailError)
}
