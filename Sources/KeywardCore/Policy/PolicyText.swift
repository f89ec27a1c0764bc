/// Wording shared by violation messages, errors and feasibility problems.
enum PolicyText {
    /// "a", "a or b", "a, b or c".
    static func list(_ items: [String], conjunction: String = "or") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
        }
    }

    /// "1 character", "3 characters".
    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// A character for a message: itself when printable, `space` or `U+XXXX`
    /// otherwise.
    static func show(_ scalar: Unicode.Scalar) -> String {
        if scalar == " " { return "space" }
        if CharacterClass.isStandalone(scalar), !scalar.properties.isWhitespace {
            return String(Character(scalar))
        }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// A policy's prohibited set for a message, sorted.
    static func show(_ characters: Set<Character>) -> String {
        characters.sorted().map { character in
            let scalars = character.unicodeScalars
            return scalars.count == 1 ? show(scalars[scalars.startIndex]) : String(character)
        }.joined(separator: " ")
    }

    /// "an uppercase letter", "a digit", "a character from umlauts".
    static func withArticle(_ characterClass: CharacterClass) -> String {
        switch characterClass {
        case .upper: return "an uppercase letter (A–Z)"
        case .lower: return "a lowercase letter (a–z)"
        case .digit: return "a digit (0–9)"
        case .special: return "a special character (such as ! ? # or -)"
        case .custom(let name, let characters): return "a character from \(name) (\(String(characters.sorted())))"
        }
    }
}
