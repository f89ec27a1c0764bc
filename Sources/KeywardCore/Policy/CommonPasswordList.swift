/// A list of common passwords that a policy's dictionary rule refuses.
///
/// Entries are trimmed of surrounding whitespace, lowercased and
/// deduplicated; blank lines are skipped. The list is stored as one sorted
/// block of UTF-8, so a lookup compares the candidate's bytes in place and
/// never turns the secret into a `String`.
public struct CommonPasswordList: Sendable {
    /// Every entry's UTF-8, back to back, entries in byte order.
    private let bytes: [UInt8]
    /// Where each entry starts in `bytes`; the last element is `bytes.count`.
    private let starts: [Int]

    /// A list with no entries: the dictionary rule then refuses nothing.
    public static let empty = CommonPasswordList([String]())

    /// Creates a list from entries (one password each).
    public init(_ entries: some Sequence<String>) {
        var unique = Set<String>()
        for entry in entries {
            let trimmed = Self.trimmed(entry)
            if !trimmed.isEmpty { unique.insert(trimmed.lowercased()) }
        }
        let sorted = unique.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sorted.reduce(0) { $0 + $1.count })
        var starts: [Int] = []
        starts.reserveCapacity(sorted.count + 1)
        for entry in sorted {
            starts.append(bytes.count)
            bytes.append(contentsOf: entry)
        }
        starts.append(bytes.count)
        self.bytes = bytes
        self.starts = starts
    }

    /// Creates a list from a text file's contents, one password per line
    /// (`\n` or `\r\n`).
    public init(lines text: String) {
        self.init(text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" }.map(String.init))
    }

    /// The number of distinct entries.
    public var count: Int { starts.count - 1 }

    /// Whether the list has no entries.
    public var isEmpty: Bool { count == 0 }

    /// Whether `password`, lowercased, is an entry.
    public func contains(_ password: GuardedString) -> Bool {
        let scalars = SecretScalars(decoding: password).lowercased()
        return scalars.withUTF8(of: 0..<scalars.count) { contains(utf8: $0) }
    }

    /// The union of two lists.
    public func union(_ other: CommonPasswordList) -> CommonPasswordList {
        CommonPasswordList(entries + other.entries)
    }

    /// The entries, in byte order. Not secret: these are public lists.
    public var entries: [String] {
        (0..<count).map { String(decoding: bytes[starts[$0]..<starts[$0 + 1]], as: UTF8.self) }
    }

    /// Whether the already-lowercased UTF-8 `candidate` is an entry.
    func contains(utf8 candidate: UnsafeBufferPointer<UInt8>) -> Bool {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            let entry = bytes[starts[middle]..<starts[middle + 1]]
            if entry.elementsEqual(candidate) { return true }
            if entry.lexicographicallyPrecedes(candidate) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return false
    }

    private static func trimmed(_ text: String) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[first...last])
    }
}
