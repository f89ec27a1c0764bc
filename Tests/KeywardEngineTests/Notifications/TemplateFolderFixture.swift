import Foundation
import KeywardEngine

/// A copy of the shipped templates in a temporary folder, to add overrides
/// and broken files to. Removed when released.
final class TemplateFolderFixture {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-templates-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.copyItem(atPath: MailFixture.templatesFolder, toPath: path)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `relative` (creating its folder).
    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Removes `relative`.
    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + relative)
    }

    /// Loads the folder.
    func load(systemFolders: [String: String] = [:]) throws(MailError) -> NotificationTemplates {
        try NotificationTemplates.load(folder: path, systemFolders: systemFolders)
    }

    /// The error loading the folder gives; nil when it loads.
    func loadError() -> MailError? {
        do {
            _ = try load()
            return nil
        } catch {
            return error
        }
    }
}
