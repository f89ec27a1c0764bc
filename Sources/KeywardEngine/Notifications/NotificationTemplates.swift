import Foundation
import Mustache

/// The subject, text and HTML templates of every ``NotificationKind``, with
/// the overrides of each system, loaded and checked once.
///
/// Layout of a templates folder (`mail.templates`, default `templates/`):
///
/// ```
/// templates/KIND.subject.mustache     the defaults, all fifteen required
/// templates/KIND.text.mustache
/// templates/KIND.html.mustache
/// templates/SYSTEM/KIND.PART.mustache  overrides for one system, any subset
/// ```
///
/// A connector's `notifications.templates` folder takes the place of
/// `templates/SYSTEM/` for that system. A part a system does not override
/// comes from the defaults, file by file.
///
/// Checks made at load, each error naming the file (and line and column):
/// every file parses; no subject uses `password` or `link` (a subject is a
/// header: mail systems store, index and show it in clear); only the
/// `initialize-one-way` text and HTML use `password`, and both must; the
/// `initialize-two-way` text and HTML must use `link`; no other `.mustache`
/// file is in the folders (a misspelt name would silently fall back).
public struct NotificationTemplates: Sendable {
    /// The three parts of a mail.
    enum Part: String, CaseIterable, Sendable {
        case subject, text, html
    }

    /// One loaded template.
    struct Template: Sendable {
        var template: MustacheTemplate
        /// The file it came from, for messages.
        var path: String
    }

    /// The three templates of one kind.
    struct Set: Sendable {
        var subject: Template
        var text: Template
        var html: Template
    }

    /// The defaults folder.
    public let folder: String
    private let defaults: [NotificationKind: Set]
    private let systems: [String: [NotificationKind: Set]]

    /// The systems that override at least one template.
    public var systemsWithOverrides: [String] { systems.keys.sorted() }

    /// Loads `folder` and its system subfolders.
    /// - Parameter systemFolders: a folder per system name that replaces
    ///   `folder/SYSTEM` (from a connector file's `notifications.templates`).
    /// - Throws: ``MailError`` `template` listing every problem, one per line.
    public static func load(folder: String, systemFolders: [String: String] = [:]) throws(MailError) -> NotificationTemplates {
        var problems: [String] = []
        let defaultFiles = TemplateFolder.read(folder, problems: &problems, isDefaults: true)
        var defaults: [NotificationKind: Set] = [:]
        for kind in NotificationKind.allCases {
            let parts = Part.allCases.compactMap { part in defaultFiles[TemplateFolder.Key(kind: kind, part: part)] }
            if parts.count == 3 { defaults[kind] = Set(subject: parts[0], text: parts[1], html: parts[2]) }
        }
        var folders = TemplateFolder.systemFolders(in: folder)
        folders.merge(systemFolders) { _, given in given }
        var systems: [String: [NotificationKind: Set]] = [:]
        for (system, path) in folders.sorted(by: { $0.key < $1.key }) {
            let files = TemplateFolder.read(path, problems: &problems, isDefaults: false)
            guard !files.isEmpty else { continue }
            for kind in NotificationKind.allCases {
                guard let base = defaults[kind] else { continue }
                let key = { (part: Part) in TemplateFolder.Key(kind: kind, part: part) }
                systems[system, default: [:]][kind] = Set(
                    subject: files[key(.subject)] ?? base.subject, text: files[key(.text)] ?? base.text,
                    html: files[key(.html)] ?? base.html)
            }
        }
        guard problems.isEmpty else { throw MailError(.template, problems.joined(separator: "\n")) }
        return NotificationTemplates(folder: folder, defaults: defaults, systems: systems)
    }

    /// The templates for `kind` on `system`.
    func templates(for kind: NotificationKind, system: String) -> Set {
        // Loading fails unless every kind has its three defaults.
        systems[system]?[kind] ?? defaults[kind]!
    }
}
