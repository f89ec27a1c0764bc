import KeywardCore

/// "Did you mean …?": the closest known name to a misspelt one.
enum NameSuggestion {
    /// The candidate closest to `name`: an exact match ignoring case first,
    /// then the nearest within an edit distance of 2 (3 for names of 10
    /// characters or more) that is shorter than the name itself; ties go to
    /// the alphabetically first.
    static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let lowered = name.lowercased()
        let candidates = Array(candidates)
        if let sameLetters = candidates.sorted().first(where: { $0 != name && $0.lowercased() == lowered }) {
            return sameLetters
        }
        let target = Array(lowered.unicodeScalars)
        let maximum = target.count >= 10 ? 3 : 2
        var best: (distance: Int, name: String)?
        for candidate in candidates where candidate != name {
            let other = Array(candidate.lowercased().unicodeScalars)
            guard abs(other.count - target.count) <= maximum else { continue }
            let distance = editDistance(target, other)
            guard distance <= maximum, distance < target.count else { continue }
            if let current = best, (current.distance, current.name) <= (distance, candidate) { continue }
            best = (distance, candidate)
        }
        return best?.name
    }

    /// ` (did you mean `NAME`?)`, or nothing when no name is close.
    static func hint(for name: String, among candidates: some Sequence<String>) -> String {
        closest(to: name, among: candidates).map { " (did you mean `\($0)`?)" } ?? ""
    }

    /// Optimal string alignment distance (see ``EditDistance``).
    static func editDistance(_ lhs: [Unicode.Scalar], _ rhs: [Unicode.Scalar]) -> Int {
        EditDistance.between(lhs, rhs)
    }

    /// `a`, `b` and `c`: names for a message, in backticks.
    static func list(_ names: some Sequence<String>) -> String {
        let quoted = names.map { "`\($0)`" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
    }
}
