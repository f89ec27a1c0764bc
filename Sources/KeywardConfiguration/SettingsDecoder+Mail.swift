import Foundation
import KeywardCore

extension SettingsDecoder {
    static let mailKeys = ["from", "smtp", "folder", "templates", "transferEncoding", "timeZone", "recipients"]
    static let smtpKeys = ["url", "username", "password", "caCertificate", "connectTimeoutSeconds", "timeoutSeconds"]

    /// Decodes `mail:`; nil (reported) when it cannot be used.
    func decodeMail(_ value: YAMLValue) -> MailSettings? {
        guard let reader = value.mapping(diagnostics, what: "a mapping of mail settings", known: Self.mailKeys) else { return nil }
        let errorsBefore = diagnostics.errorCount
        let from = reader.required("from", diagnostics, hint: " (the sender, as in `Keyward <keyward@example.com>`)")
            .flatMap { value in value.string(diagnostics, what: "a mail address").map { (value, $0) } }
        if let (value, text) = from, let reason = MailRecipientsDecoder.addressProblem(with: text) {
            diagnostics.error(.invalidValue, "`mail.from`: `\(text)` \(reason)", at: value.location)
        }
        let transport = decodeTransport(reader)
        var settings = MailSettings(from: from?.1 ?? "", transport: transport ?? .folder(path: ""))
        if let value = reader["templates"], let path = value.string(diagnostics, what: "a folder path") {
            settings.templates = path
        }
        checkFolder(settings.templates, at: reader["templates"] ?? value, what: "`mail.templates`")
        if let value = reader["transferEncoding"], let text = value.string(diagnostics) {
            let known = ["quoted-printable", "base64"]
            if known.contains(text) {
                settings.transferEncoding = text
            } else {
                diagnostics.error(
                    .invalidValue, "`mail.transferEncoding` is `quoted-printable` or `base64`\(NameSuggestion.hint(for: text, among: known))",
                    at: value.location)
            }
        }
        if let value = reader["timeZone"], let text = value.string(diagnostics, what: "a time zone name") {
            if TimeZone(identifier: text) == nil {
                diagnostics.error(
                    .invalidValue, "`mail.timeZone` `\(text)` is not a time zone; write an IANA name such as `UTC` or `Europe/Paris`",
                    at: value.location)
            } else {
                settings.timeZone = text
            }
        }
        if let value = reader["recipients"] {
            settings.recipients = MailRecipientsDecoder(diagnostics: diagnostics).decode(value)
        }
        return diagnostics.errorCount == errorsBefore && from != nil && transport != nil ? settings : nil
    }

    private func decodeTransport(_ reader: MappingReader) -> MailTransportSetting? {
        switch (reader["smtp"], reader["folder"]) {
        case (nil, nil):
            diagnostics.error(
                .missingField,
                "`mail` needs `smtp` (a mail server) or `folder` (write each mail as an .eml file there, for demos)",
                at: reader.value.location)
            return nil
        case (.some, .some(let folder)):
            diagnostics.error(.invalidValue, "`mail` takes `smtp` or `folder`, not both", at: folder.location)
            return nil
        case (nil, .some(let value)):
            return value.string(diagnostics, what: "a folder path").map { .folder(path: $0) }
        case (.some(let value), nil):
            return decodeSMTP(value).map { .smtp($0) }
        }
    }

    private func decodeSMTP(_ value: YAMLValue) -> SMTPSetting? {
        guard let reader = value.mapping(diagnostics, what: "a mapping of SMTP settings", known: Self.smtpKeys) else { return nil }
        let errorsBefore = diagnostics.errorCount
        guard let urlValue = reader.required("url", diagnostics, hint: " (smtp://HOST:587 or smtps://HOST:465)"),
            let url = urlValue.string(diagnostics, what: "an SMTP URL")
        else { return nil }
        checkSMTPURL(url, at: urlValue)
        var setting = SMTPSetting(url: url)
        setting.username = reader["username"].flatMap { $0.string(diagnostics, what: "a login name") }
        if let value = reader["password"] {
            setting.password = decodeSecretReference(value)
        }
        if (setting.username == nil) != (reader["password"] == nil) {
            diagnostics.error(
                .missingField, "`mail.smtp` needs `username` and `password` together (for SMTP AUTH), or neither",
                at: reader.value.location)
        }
        if let value = reader["caCertificate"], let path = value.string(diagnostics, what: "a PEM file path") {
            setting.caCertificate = path
            if !FileManager.default.isReadableFile(atPath: ConfigurationPaths.join(directory, path)) {
                diagnostics.error(
                    .fileNotFound, "`mail.smtp.caCertificate` `\(path)` is not a readable file (relative to keyward.yaml's folder)",
                    at: value.location)
            }
        }
        if let seconds = timeout(reader["connectTimeoutSeconds"]) { setting.connectTimeoutSeconds = seconds }
        if let seconds = timeout(reader["timeoutSeconds"]) { setting.timeoutSeconds = seconds }
        return diagnostics.errorCount == errorsBefore ? setting : nil
    }

    private func checkSMTPURL(_ url: String, at value: YAMLValue) {
        if ConnectorDecoder.hasPasswordInURL(url) {
            diagnostics.error(
                .literalSecret,
                "`mail.smtp.url` holds a password (not repeated here); remove it and use `username` and `password: ${env:NAME}`",
                at: value.location)
            return
        }
        guard let components = URLComponents(string: url), ["smtp", "smtps"].contains(components.scheme?.lowercased() ?? ""),
            components.host?.isEmpty == false, components.path.isEmpty || components.path == "/", components.user == nil
        else {
            diagnostics.error(
                .invalidValue,
                "`mail.smtp.url` must be smtp://HOST:PORT (STARTTLS, required) or smtps://HOST:PORT (TLS), without a login or path",
                at: value.location)
            return
        }
    }

    private func decodeSecretReference(_ value: YAMLValue) -> SecretReference? {
        guard let text = value.string(diagnostics, what: "a reference, `${env:NAME}` or `${file:PATH}`") else { return nil }
        switch SecretReference.classify(text) {
        case .reference(let source):
            return SecretReference(source, relativeTo: directory)
        case .malformed(let reason):
            diagnostics.error(
                .badSecretReference, "\(value.quotedPath) is not a valid reference: \(reason) (the value is not repeated here)",
                at: value.location)
        case .plain:
            diagnostics.error(
                .literalSecret,
                "\(value.quotedPath) holds a literal password (not repeated here); put it in an environment variable "
                    + "or a file and write `${env:NAME}` or `${file:PATH}`",
                at: value.location)
        }
        return nil
    }

    private func timeout(_ value: YAMLValue?) -> Int? {
        guard let value, let seconds = value.int(diagnostics, what: "a number of seconds") else { return nil }
        guard (1...600).contains(seconds) else {
            diagnostics.error(.invalidValue, "\(value.quotedPath) must be between 1 and 600 seconds (it is \(seconds))", at: value.location)
            return nil
        }
        return seconds
    }

    /// Reports `path` (relative to keyward.yaml's folder) when it is not a folder.
    func checkFolder(_ path: String, at value: YAMLValue, what: String) {
        var isFolder: ObjCBool = false
        let full = ConfigurationPaths.join(directory, path)
        guard !FileManager.default.fileExists(atPath: full, isDirectory: &isFolder) || !isFolder.boolValue else { return }
        diagnostics.error(
            .fileNotFound,
            "\(what) `\(path)` is not a folder (relative to keyward.yaml's folder); Keyward ships `templates/` to copy",
            at: value.location)
    }
}
