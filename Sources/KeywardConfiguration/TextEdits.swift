/// Line-based edits to a YAML file's text at the positions Yams reports, so
/// that a migration keeps every comment, blank line, quote style and key
/// order exactly as the admin wrote them.
struct TextEdits {
    /// One edit. Lines and columns are 1-based; columns count Unicode
    /// scalars, as Yams' marks do.
    enum Edit {
        /// Replace `length` scalars at `line`:`column` with `text`.
        case replace(line: Int, column: Int, length: Int, text: String)
        /// Insert `text` at `line`:`column`.
        case insert(line: Int, column: Int, text: String)
        /// Insert a whole line (without its line break) before `line`.
        case insertLine(before: Int, text: String)

        var position: (line: Int, column: Int) {
            switch self {
            case .replace(let line, let column, _, _), .insert(let line, let column, _): (line, column)
            case .insertLine(let line, _): (line, 0)
            }
        }
    }

    private(set) var edits: [Edit] = []

    mutating func add(_ edit: Edit) {
        edits.append(edit)
    }

    var isEmpty: Bool { edits.isEmpty }

    /// The text with every edit applied, or nil when an edit does not fit
    /// the text (a line or column past its end).
    func apply(to text: String) -> String? {
        var lines = Self.lines(of: text)
        let lineBreak = text.contains("\r\n") ? "\r\n" : "\n"
        // Bottom-up and right-to-left, so earlier positions stay valid.
        let ordered = edits.sorted { ($0.position.line, $0.position.column) > ($1.position.line, $1.position.column) }
        for edit in ordered {
            switch edit {
            case .replace(let line, let column, let length, let replacement):
                guard line >= 1, line <= lines.count else { return nil }
                var scalars = Array(lines[line - 1].content.unicodeScalars)
                guard column >= 1, column - 1 + length <= scalars.count else { return nil }
                scalars.replaceSubrange((column - 1)..<(column - 1 + length), with: replacement.unicodeScalars)
                lines[line - 1].content = String(String.UnicodeScalarView(scalars))
            case .insert(let line, let column, let insertion):
                guard line >= 1, line <= lines.count else { return nil }
                var scalars = Array(lines[line - 1].content.unicodeScalars)
                guard column >= 1, column - 1 <= scalars.count else { return nil }
                scalars.insert(contentsOf: insertion.unicodeScalars, at: column - 1)
                lines[line - 1].content = String(String.UnicodeScalarView(scalars))
            case .insertLine(let line, let insertion):
                guard line >= 1, line <= lines.count + 1 else { return nil }
                if line == lines.count + 1, let last = lines.last, last.terminator.isEmpty {
                    lines[lines.count - 1].terminator = lineBreak
                }
                lines.insert(Line(content: insertion, terminator: lineBreak), at: line - 1)
            }
        }
        return lines.map { $0.content + $0.terminator }.joined()
    }

    /// One line: its text and the line break after it (empty for the last line without one).
    struct Line {
        var content: String
        var terminator: String
    }

    /// The text's lines with their terminators, so joining them gives the text back.
    static func lines(of text: String) -> [Line] {
        var lines: [Line] = []
        var current = ""
        for character in text {
            if character == "\n" || character == "\r\n" {
                lines.append(Line(content: current, terminator: String(character)))
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty || lines.isEmpty {
            lines.append(Line(content: current, terminator: ""))
        }
        return lines
    }
}
