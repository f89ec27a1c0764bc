import KeywardCore
import Yams

extension ConnectorDecoder {
    static let notificationKeys = ["templates", "recipients"]

    /// `notifications: { templates: FOLDER, recipients: { KIND: [...] } }`,
    /// with the file's `description` (which templates show); nil when the
    /// file has neither.
    func decodeNotifications(_ value: YAMLValue?, description: YAMLValue?) -> ConnectorNotifications? {
        var result = ConnectorNotifications()
        if let description, case .scalar(let scalar) = description.node, !description.node.isNull {
            result.systemDescription = scalar.string
        }
        if let value, let reader = value.mapping(diagnostics, what: "a mapping with `templates` and `recipients`", known: Self.notificationKeys) {
            if let folder = reader["templates"], let path = folder.string(diagnostics, what: "a folder path") {
                result.templates = path
                SettingsDecoder(diagnostics: diagnostics, directory: directory)
                    .checkFolder(path, at: folder, what: "`notifications.templates`")
            }
            if let recipients = reader["recipients"] {
                result.recipients = MailRecipientsDecoder(diagnostics: diagnostics).decode(recipients)
            }
        }
        return result == ConnectorNotifications() ? nil : result
    }
}
