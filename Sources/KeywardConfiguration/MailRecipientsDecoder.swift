import KeywardCore
import Yams

/// Decodes a `recipients:` mapping (`mail.recipients` and a connector's
/// `notifications.recipients`): notification kinds or `all` to lists of
/// `person`, `manager` and mail addresses.
struct MailRecipientsDecoder {
    let diagnostics: Diagnostics

    func decode(_ value: YAMLValue) -> [String: [String]] {
        let kinds = ["all"] + MailSettings.notificationKinds
        guard let reader = value.mapping(diagnostics, what: "a mapping of notification kinds to recipient lists", known: kinds)
        else { return [:] }
        var result: [String: [String]] = [:]
        for entry in reader.entries where kinds.contains(entry.key) {
            guard let list = entry.value.strings(
                diagnostics, of: "recipients", hint: entry.value.node.scalar != nil ? "; write a list, as in `[person]`" : "")
            else { continue }
            var rules: [String] = []
            for (text, element) in list {
                if let reason = Self.problem(with: text) {
                    diagnostics.error(.invalidValue, "\(element.quotedPath): `\(text)` \(reason)", at: element.location)
                } else {
                    rules.append(text)
                }
            }
            result[entry.key] = rules
        }
        for (kind, what) in [("initialize-one-way", "one-way initialization"), ("reset-one-way", "generated reset (reset-one-way)")] {
            let oneWay = reader[kind] ?? reader["all"]
            if let oneWay, (result[kind] ?? result["all"])?.isEmpty == true {
                diagnostics.error(
                    .invalidValue,
                    "\(oneWay.quotedPath) leaves \(what) mails without a recipient: that mail is the only place the "
                        + "password goes",
                    at: oneWay.location)
            }
        }
        return result
    }

    /// Why `text` is not `person`, `manager` or a plain address; nil when it is one.
    static func problem(with text: String) -> String? {
        if text == "person" || text == "manager" { return nil }
        return addressProblem(with: text).map { _ in
            "is not `person`, `manager`, nor a mail address (`helpdesk@example.com` or "
                + "`Helpdesk <helpdesk@example.com>`, ASCII)"
        }
    }

    /// Why `text` is not `address` or `Name <address>` (ASCII, one `@`); nil when it is.
    static func addressProblem(with text: String) -> String? {
        var address = Substring(text)
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            address = text[text.index(after: open)..<text.index(before: text.endIndex)]
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let plain = address.unicodeScalars.allSatisfy {
            $0.isASCII && $0.value > 32 && $0.value < 127 && !"<>()[],;:\"\\".unicodeScalars.contains($0)
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, plain else {
            return "is not a mail address (`keyward@example.com` or `Keyward <keyward@example.com>`, ASCII)"
        }
        return nil
    }
}
