import Foundation
import Mustache

/// The pages' Mustache templates (`Resources/pages/*.mustache`) and their
/// stylesheet, read once from the module's bundle.
///
/// Every page is a template inheriting `layout` (`{{<layout}}…{{$main}}`);
/// the partials (`csrf`, `error-summary`, `password-fields`, `helpdesk-nav`)
/// are templates too. Mustache escapes every `{{value}}` for HTML.
struct PageTemplates: Sendable {
    /// The templates by name (file name without `.mustache`).
    let library: MustacheLibrary
    /// `style.css`, served at `/static/style.css`.
    let stylesheet: String

    /// The bundled templates, or why they could not be read (a packaging
    /// error: the pages then answer 500 saying so).
    static let bundled: Result<PageTemplates, PageTemplateError> = {
        guard let folder = Bundle.module.url(forResource: "pages", withExtension: nil, subdirectory: "Resources") else {
            return .failure(PageTemplateError(message: "the folder Resources/pages is missing from KeywardServer's bundle"))
        }
        return Result { () throws(PageTemplateError) in try PageTemplates(folder: folder) }
    }()

    /// Reads every `.mustache` file and `style.css` from `folder`.
    init(folder: URL) throws(PageTemplateError) {
        var library = MustacheLibrary()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw PageTemplateError(message: "cannot list \(folder.path): \(error)")
        }
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = folder.appendingPathComponent(name).path
            do {
                library.register(try MustacheTemplate(string: try String(contentsOfFile: path, encoding: .utf8)), named: String(name.dropLast(9)))
            } catch {
                throw PageTemplateError(message: "the page template \(path) does not load: \(error)")
            }
        }
        do {
            stylesheet = try String(contentsOf: folder.appendingPathComponent("style.css"), encoding: .utf8)
        } catch {
            throw PageTemplateError(message: "the stylesheet \(folder.path)/style.css does not load: \(error)")
        }
        self.library = library
    }

    /// The page `name` rendered with `values` (nil when no such template).
    func render(_ name: String, _ values: [String: Any]) -> String? {
        library.render(values, withTemplate: name)
    }
}

/// Why the page templates could not be used.
struct PageTemplateError: Error, CustomStringConvertible {
    /// What went wrong, naming the file.
    let message: String

    var description: String { message }
}
