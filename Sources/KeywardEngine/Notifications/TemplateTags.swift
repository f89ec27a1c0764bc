import Foundation

/// Finds the names a Mustache template's tags use, without running it:
/// every variable, section, inverted section and transform argument, with
/// set-delimiter tags (`{{=<% %>=}}`) followed and comments skipped.
///
/// This is how a secret is kept out of places it must not be: a template
/// that names `password` in its subject is refused before it is ever
/// rendered, whatever its sections would do at run time.
enum TemplateTags {
    /// A tag's place and the identifiers in it (`person.givenName` gives
    /// `person` and `givenName`; `uppercased(password)` gives both names).
    struct Tag {
        var identifiers: [Substring]
        var line: Int
        var column: Int
    }

    /// Every tag of `text`, in order.
    static func scan(_ text: String) -> [Tag] {
        var tags: [Tag] = []
        var open = "{{"
        var close = "}}"
        var position = text.startIndex
        while let start = text.range(of: open, range: position..<text.endIndex) {
            let contentStart = start.upperBound
            let tagClose = open == "{{" && text[contentStart...].hasPrefix("{") ? "}" + close : close
            guard let finish = text.range(of: tagClose, range: contentStart..<text.endIndex) else { break }
            let content = text[contentStart..<finish.lowerBound]
            position = finish.upperBound
            let trimmed = content.trimmingWhitespace
            if trimmed.hasPrefix("!") { continue }
            if trimmed.hasPrefix("="), trimmed.hasSuffix("="), trimmed.count >= 2 {
                let delimiters = trimmed.dropFirst().dropLast().split(whereSeparator: \.isWhitespace)
                if delimiters.count == 2 {
                    open = String(delimiters[0])
                    close = String(delimiters[1])
                }
                continue
            }
            let identifiers = content.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            let (line, column) = location(of: start.lowerBound, in: text)
            tags.append(Tag(identifiers: identifiers, line: line, column: column))
        }
        return tags
    }

    /// The first tag of `text` that uses `name`, if any.
    static func firstUse(of name: String, in text: String) -> Tag? {
        scan(text).first { $0.identifiers.contains(Substring(name)) }
    }

    private static func location(of index: String.Index, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for character in text[..<index] {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
