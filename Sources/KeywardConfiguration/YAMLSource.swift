import Foundation
import KeywardCore
import Yams

/// A configuration file read from disk and composed into YAML nodes with
/// their positions.
///
/// `Decodable` would lose the line and column of every value, so the
/// decoders here walk Yams' `Node` tree, whose marks say where each value is.
struct YAMLSource {
    /// The file's path as shown in messages.
    let file: String
    /// The file's text.
    let text: String

    /// Configuration files are small; anything larger is a mistake.
    static let sizeLimit = 1 << 20

    /// Reads the file at `path` as UTF-8 text of at most 1 MiB.
    static func read(_ path: String) throws(ConfigurationError) -> YAMLSource {
        let start = SourceLocation(file: path, line: 1, column: 1)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ConfigurationError(.unreadable, "no such file", at: start)
        }
        guard !isFolder.boolValue else {
            throw ConfigurationError(.unreadable, "is a folder, not a file", at: start)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(.unreadable, "cannot be read (check its permissions)", at: start)
        }
        guard data.count <= sizeLimit else {
            throw ConfigurationError(.unreadable, "is larger than 1 MiB; configuration files are limited to 1 MiB", at: start)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let line = firstInvalidLine(Array(data))
            throw ConfigurationError(
                .unreadable, "is not valid UTF-8; save it as UTF-8 text",
                at: SourceLocation(file: path, line: line, column: 1))
        }
        return YAMLSource(file: path, text: text)
    }

    /// The document's root node; nil (with the problem reported) when the
    /// text is not YAML, or when the file is empty.
    func compose(_ diagnostics: Diagnostics, emptyHint: String) -> YAMLValue? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            diagnostics.record(translate(error))
            return nil
        } catch {
            diagnostics.error(.yamlSyntax, "invalid YAML", at: SourceLocation(file: file, line: 1, column: 1))
            return nil
        }
        guard let root, !root.isNull else {
            diagnostics.error(.missingField, "the file is empty; \(emptyHint)", at: SourceLocation(file: file, line: 1, column: 1))
            return nil
        }
        return YAMLValue(node: root, file: file, path: "")
    }

    /// Turns a Yams error into a message that says what to fix. Yams'
    /// own description quotes the offending line, which could hold a
    /// secret, so only its position and libyaml's fixed problem text are used.
    func translate(_ error: YamlError) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // At the end of the file, where the unclosed quote or bracket
            // started is the useful place.
            let place = Self.pointsAtOpening.contains(problem) ? context?.mark ?? mark : mark
            return ConfigurationError(
                .yamlSyntax, "invalid YAML: " + explain(problem, context: context, at: mark),
                at: SourceLocation(file: file, line: place.line, column: place.column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = NameSuggestion.list(duplicates)
            return ConfigurationError(
                .yamlSyntax, "duplicate key \(keys) in one mapping; keep one of them",
                at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        case .reader(_, let offset, _, _):
            let line = offset.map { offset in text.prefix(offset).count { $0 == "\n" } + 1 } ?? 1
            return ConfigurationError(
                .unreadable, "contains a character YAML does not allow (a control character?)",
                at: SourceLocation(file: file, line: line, column: 1))
        default:
            return ConfigurationError(.yamlSyntax, "invalid YAML", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// Problems found where something ends that began earlier: the place
    /// it began is the one to show.
    static let pointsAtOpening: Set<String> = [
        "found unexpected end of stream", "did not find expected ',' or ']'", "did not find expected ',' or '}'",
        "could not find expected ':'",
    ]

    private func explain(_ problem: String, context: YamlError.Context?, at mark: Mark) -> String {
        if character(at: mark) == "\t" || (problem.contains("cannot start any token") && indentationHasTab(mark.line)) {
            return "a tab character; YAML indents with spaces only, replace the tab with spaces"
        }
        let opened = context.map { " (\($0.text) that starts at line \($0.mark.line), column \($0.mark.column))" } ?? ""
        switch problem {
        case "mapping values are not allowed in this context":
            return "a `key: value` where none can start; check this line's indentation, "
                + "or quote a value that contains `: `"
        case "did not find expected key":
            return "bad indentation; this line does not line up with the keys of its mapping\(opened)"
        case "did not find expected '-' indicator":
            return "bad indentation in a list; every `- ` item of one list starts in the same column\(opened)"
        case "could not find expected ':'":
            return "a key without `:`, or an unclosed quote\(opened)"
        case "did not find expected node content":
            return "a value is missing: an unclosed `[` or `{`, or a `,` or `-` with nothing after it\(opened)"
        case "found undefined alias":
            return "an alias (`*name`) to an anchor that is not defined above it"
        case "but found another document":
            return "a second YAML document (`---`); a configuration file holds one"
        case "did not find expected ',' or ']'":
            return "a `[` that is not closed, or a missing `,` between its items\(opened)"
        case "did not find expected ',' or '}'":
            return "a `{` that is not closed, or a missing `,` between its entries\(opened)"
        case "found unexpected end of stream":
            return "the file ends inside a quoted string or a `[ ]`/`{ }` collection; close it\(opened)"
        default:
            return problem + opened
        }
    }

    private func line(_ number: Int) -> Substring? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return number >= 1 && number <= lines.count ? lines[number - 1] : nil
    }

    private func character(at mark: Mark) -> Unicode.Scalar? {
        guard let line = line(mark.line) else { return nil }
        let scalars = Array(line.unicodeScalars)
        return mark.column >= 1 && mark.column <= scalars.count ? scalars[mark.column - 1] : nil
    }

    private func indentationHasTab(_ number: Int) -> Bool {
        guard let line = line(number) else { return false }
        return line.prefix { $0 == " " || $0 == "\t" }.contains("\t")
    }

    /// The 1-based line of the first byte sequence that is not UTF-8.
    static func firstInvalidLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        for chunk in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: chunk, as: UTF8.self) == nil { return line }
            line += 1
        }
        return line
    }
}
