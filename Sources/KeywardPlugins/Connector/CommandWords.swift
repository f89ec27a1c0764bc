/// Splits a `command` setting into the program and its arguments, the way
/// a shell splits words but without running one: spaces and tabs separate
/// words; `'…'` keeps everything inside as it is; `"…"` keeps everything
/// but `\"` and `\\`, which stand for `"` and `\`; outside quotes, `\`
/// keeps the next character as it is. Nothing is expanded (no `$VAR`, no
/// `~`, no globbing).
enum CommandWords {
    /// What is wrong with a command line.
    struct Problem: Error {
        let message: String
    }

    /// The words of `line`.
    static func split(_ line: String) throws(Problem) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                if quote == "\"" && character != "\"" && character != "\\" { word.append("\\") }
                word.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case ("'", _):
                word.append(character)
            case ("\"", "\\"), (nil, "\\"):
                escaped = true
                inWord = true
            case ("\"", _):
                word.append(character)
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case (nil, " "), (nil, "\t"):
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        if let quote { throw Problem(message: "has a \(quote) that is never closed") }
        if escaped { throw Problem(message: "ends with a lone \\") }
        if inWord { words.append(word) }
        if words.isEmpty { throw Problem(message: "is empty; write the plugin's program and its arguments") }
        return words
    }
}
