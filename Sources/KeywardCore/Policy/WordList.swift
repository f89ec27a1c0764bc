/// The words passphrase generation draws from.
///
/// Words are trimmed of surrounding whitespace and deduplicated, in their
/// first-seen order; blank entries and entries with inner whitespace are
/// skipped. A passphrase of `n` words from a list of `count` words has
/// `n × log2(count)` bits of entropy before any class adjustments.
public struct WordList: Sendable {
    /// Each word as Unicode scalars, in first-seen order.
    let words: [[Unicode.Scalar]]

    /// Creates a list from words.
    public init(_ words: some Sequence<String>) {
        var seen = Set<String>()
        var kept: [[Unicode.Scalar]] = []
        for word in words {
            let scalars = Array(word.unicodeScalars)
            guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { continue }
            let trimmed = Array(scalars[first...last])
            guard !trimmed.contains(where: { $0.properties.isWhitespace }) else { continue }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: trimmed)
            if seen.insert(String(text)).inserted { kept.append(trimmed) }
        }
        self.words = kept
    }

    /// Creates a list from a text file's contents, one word per line.
    public init(lines text: String) {
        self.init(text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" }.map(String.init))
    }

    /// The number of distinct words.
    public var count: Int { words.count }

    /// Whether the list has no words.
    public var isEmpty: Bool { words.isEmpty }

    /// The length of the shortest and longest word, in Unicode scalars.
    public var lengthRange: ClosedRange<Int>? {
        guard let shortest = words.map(\.count).min(), let longest = words.map(\.count).max() else { return nil }
        return shortest...longest
    }
}
