import Foundation
import Mustache

/// Reads and checks the `KIND.PART.mustache` files of one folder for
/// ``NotificationTemplates``.
enum TemplateFolder {
    /// A file's kind and part.
    struct Key: Hashable {
        var kind: NotificationKind
        var part: NotificationTemplates.Part
    }

    /// Subject and text are plain text; Mustache escapes HTML by default.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    /// The subfolders of `folder`, by name: one per system that overrides templates.
    static func systemFolders(in folder: String) -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var result: [String: String] = [:]
        for name in names where !name.hasPrefix(".") {
            var isFolder: ObjCBool = false
            let path = folder + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                result[name] = path
            }
        }
        return result
    }

    /// The templates in `folder`; every problem is added to `problems`.
    /// `isDefaults`: all fifteen files must be there.
    static func read(_ folder: String, problems: inout [String], isDefaults: Bool) -> [Key: NotificationTemplates.Template] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            problems.append("templates folder `\(folder)` does not exist; Keyward ships one (templates/) to copy from")
            return [:]
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var result: [Key: NotificationTemplates.Template] = [:]
        for name in names where name.hasSuffix(".mustache") {
            let path = folder + "/" + name
            guard let key = key(of: name) else {
                problems.append(
                    "\(path): not a template name Keyward knows; templates are KIND.PART.mustache, "
                        + "KIND one of \(NotificationKind.list) and PART one of subject, text, html")
                continue
            }
            if let template = load(path, key: key, problems: &problems) { result[key] = template }
        }
        if isDefaults {
            for kind in NotificationKind.allCases {
                for part in NotificationTemplates.Part.allCases where result[Key(kind: kind, part: part)] == nil {
                    let name = "\(kind.rawValue).\(part.rawValue).mustache"
                    if !names.contains(name) {
                        problems.append("\(folder)/\(name) is missing; copy it from the templates/ folder Keyward ships")
                    }
                }
            }
        }
        return result
    }

    private static func key(of name: String) -> Key? {
        let parts = name.dropLast(".mustache".count).split(separator: ".")
        guard parts.count == 2, let kind = NotificationKind(rawValue: String(parts[0])),
            let part = NotificationTemplates.Part(rawValue: String(parts[1]))
        else { return nil }
        return Key(kind: kind, part: part)
    }

    private static func load(_ path: String, key: Key, problems: inout [String]) -> NotificationTemplates.Template? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            problems.append("\(path): cannot be read as UTF-8 text")
            return nil
        }
        let before = problems.count
        check(text, path: path, key: key, problems: &problems)
        let source = key.part == .html ? text : textPragma + text
        do {
            let template = try MustacheTemplate(string: source)
            return problems.count == before ? NotificationTemplates.Template(template: template, path: path) : nil
        } catch let error as MustacheTemplate.ParserError {
            let shift = key.part != .html && error.context.lineNumber == 1 ? textPragma.count : 0
            problems.append(
                "\(path):\(error.context.lineNumber):\(error.context.columnNumber - shift): "
                    + "Mustache syntax error (\(error.error)); see docs/notifications.md")
        } catch {
            problems.append("\(path): Mustache syntax error (\(error))")
        }
        return nil
    }

    /// The rules about where `password` and `link` may stand.
    private static func check(_ text: String, path: String, key: Key, problems: inout [String]) {
        let password = TemplateTags.firstUse(of: "password", in: text)
        let link = TemplateTags.firstUse(of: "link", in: text)
        let place = { (tag: TemplateTags.Tag) in "\(path):\(tag.line):\(tag.column)" }
        switch key.part {
        case .subject:
            for (tag, name) in [(password, "password"), (link, "link")] {
                guard let tag else { continue }
                problems.append(
                    "\(place(tag)): the subject cannot hold the \(name == "password" ? "password" : "one-time link") "
                        + "(`\(name)`): a subject is a header that mail systems store, index and show in clear; "
                        + "put it in the text and HTML parts")
            }
        case .text, .html:
            if let password, !key.kind.carriesPassword {
                problems.append(
                    "\(place(password)): only initialize-one-way and reset-one-way mails carry the password; "
                        + "a \(key.kind.rawValue) mail is a confirmation without it, remove `password`")
            }
            if password == nil, key.kind.carriesPassword {
                let what = key.kind == .initializeOneWay ? "one-way initialization" : "generated reset (reset-one-way)"
                problems.append("\(path): a \(what) mail must show the password: add `{{password}}`")
            }
            if link == nil, key.kind == .initializeTwoWay {
                problems.append("\(path): a two-way initialization mail must show the link to set the password: add `{{link}}`")
            }
        }
    }
}
