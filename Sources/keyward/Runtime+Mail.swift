import Foundation
import KeywardConfiguration
import KeywardCore
import KeywardEngine
import Logging

/// How notification mail is rendered and sent, from `mail:` in keyward.yaml
/// and each connector's `notifications:`.
struct MailSetup: Sendable {
    /// Templates, recipients, sender.
    let renderer: NotificationRenderer
    /// SMTP, or a folder of `.eml` files.
    let mailer: any Mailer
}

extension Runtime {
    /// Where the folder mailer writes, when `mail.folder` is configured.
    var mailFolder: String? {
        guard case .folder(let path) = configuration.mail?.transport else { return nil }
        return configuration.path(for: path)
    }

    /// The mail setup; nil when `mail:` is not configured.
    func mailSetup(logger: Logger) throws(CommandError) -> MailSetup? {
        guard let settings = configuration.mail else { return nil }
        let place = "\(configuration.file) (mail)"
        do throws(MailError) {
            var systemFolders: [String: String] = [:]
            var systemRules: [String: [NotificationKind: [RecipientRule]]] = [:]
            for (system, notifications) in configuration.notifications {
                if let templates = notifications.templates { systemFolders[system] = configuration.path(for: templates) }
                if !notifications.recipients.isEmpty {
                    systemRules[system] = try RecipientRules.parse(notifications.recipients, place: "system '\(system)'")
                }
            }
            let templates = try NotificationTemplates.load(
                folder: configuration.path(for: settings.templates), systemFolders: systemFolders)
            let renderer = NotificationRenderer(
                templates: templates,
                recipients: RecipientRules(
                    defaults: try RecipientRules.parse(settings.recipients, place: place), systems: systemRules),
                sender: try MailAddress(parsing: settings.from, what: "mail.from"),
                encoding: TransferEncoding(rawValue: settings.transferEncoding) ?? .quotedPrintable,
                timeZone: TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "UTC")!)
            switch settings.transport {
            case .folder(let path):
                return MailSetup(renderer: renderer, mailer: FolderMailer(folder: configuration.path(for: path), logger: logger))
            case .smtp(let smtp):
                var password: (@Sendable () throws -> GuardedString)?
                if let reference = smtp.password {
                    password = { try reference.resolve() }
                }
                let mailer = try SMTPMailer(
                    configuration: SMTPConfiguration(
                        url: smtp.url, username: smtp.username,
                        password: password, passwordSource: smtp.password?.description,
                        caCertificate: smtp.caCertificate.map { configuration.path(for: $0) },
                        connectTimeout: .seconds(smtp.connectTimeoutSeconds), timeout: .seconds(smtp.timeoutSeconds)),
                    logger: logger)
                return MailSetup(renderer: renderer, mailer: mailer)
            }
        } catch {
            throw CommandError("\(place): \(error.message)")
        }
    }
}
