import KeywardCore

/// "Did you mean …?": the closest known name to a misspelt one.
enum NameSuggestion {
    /// The candidate closest to `name`: an exact match ignoring case first,
    /// then the nearest within an edit distance of 2 (3 for names of 10
    /// characters or more) that is shorter than the name itself; ties go to
    /// the alphabetically first.
    static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        EditDistance.closest(to: name, among: candidates)
    }

    /// ` (did you mean `NAME`?)`, or nothing when no name is close.
    static func hint(for name: String, among candidates: some Sequence<String>) -> String {
        closest(to: name, among: candidates).map { " (did you mean `\($0)`?)" } ?? ""
    }

    /// `a`, `b` and `c`: names for a message, in backticks.
    static func list(_ names: some Sequence<String>) -> String {
        let quoted = names.map { "`\($0)`" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
    }
}
