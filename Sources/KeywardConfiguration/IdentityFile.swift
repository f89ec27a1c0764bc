import Foundation
public import KeywardCore

/// The people to import, read from a CSV or YAML file (`keyward identity import`).
///
/// A row that is wrong is reported and skipped, and the other rows still
/// import. Messages name columns, keys and lines; the only cell they repeat
/// is a username that appears twice. A column or key whose name looks like
/// a secret refuses the whole file: identity files carry no passwords.
public struct IdentityFile {
    /// A problem in one row of an identity file, or with the file as a whole.
    ///
    /// `line` is the 1-based line where the row starts; it is 0 when the
    /// problem is not at a place in the file (a missing file, a wrong extension).
    public struct RowError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file's path as given.
        public var file: String
        /// The 1-based line where the row starts, or 0 for the file as a whole.
        public var line: Int
        /// What is wrong and what to do, without a cell's content.
        public var message: String

        /// Creates an error.
        public init(file: String, line: Int, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }

        /// `people.csv:14: message` (`people.csv: message` at line 0).
        public var description: String {
            line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
        }
    }

    /// What a file held: the identities of its good rows and a problem for each bad one.
    public struct Result: Sendable {
        /// The identities, in file order.
        public var identities: [Identity]
        /// The problems of the rows that were skipped, in file order.
        public var errors: [RowError]
    }

    /// Reads `FILE.csv`, or `FILE.yaml` or `FILE.yml`, chosen by the extension.
    ///
    /// `progress` is called with (rows read, total rows) every 1000 rows and at the end.
    /// Throws only when the file cannot be read at all: it is missing, is
    /// not UTF-8, is not valid YAML, or its CSV header or YAML keys are unusable.
    public static func read(
        path: String, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(RowError) -> Result {
        let suffix = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard ["csv", "yaml", "yml"].contains(suffix) else {
            let found = suffix.isEmpty ? "it has no extension" : "not `.\(suffix)`"
            throw RowError(
                file: path, line: 0, message: "identity files are read from `.csv`, `.yaml` or `.yml` files; \(found)")
        }
        let text = try Self.text(at: path)
        if suffix == "csv" {
            return try readCSV(text, file: path, progress: progress)
        }
        return try readYAML(text, file: path, progress: progress)
    }

    /// The file's text, which must be UTF-8.
    private static func text(at path: String) throws(RowError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw RowError(file: path, line: 0, message: "no such file")
        }
        guard !isFolder.boolValue else {
            throw RowError(file: path, line: 0, message: "is a folder, not a file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RowError(file: path, line: 0, message: "cannot be read (check its permissions)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw RowError(
                file: path, line: YAMLSource.firstInvalidLine(Array(data)),
                message: "is not valid UTF-8; save it as UTF-8 text (spreadsheets call it \"CSV UTF-8\")")
        }
        return text
    }

    /// Whether a column or key named `name` would hold a secret
    /// (`password`, `user_pwd`, `apiToken`, …).
    static func looksSecret(_ name: String) -> Bool {
        let folded = String(name.lowercased().unicodeScalars.filter(\.properties.isAlphabetic))
        return secretNames.contains(folded) || secretMarkers.contains { folded.contains($0) }
    }

    /// Names that are a secret's whole name.
    private static let secretNames: Set<String> = ["pass", "pw", "pin", "otp"]

    /// Words that make any name a secret's.
    private static let secretMarkers = [
        "password", "passwd", "passwort", "pwd", "secret", "token", "credential", "passphrase", "apikey",
        "privatekey",
    ]
}

extension IdentityFile {
    /// The fields of ``Identity`` that a file names directly.
    enum Field: String, CaseIterable {
        case username, givenName, familyName, email, managerEmail

        /// Stores `value` in the field of `identity`.
        func set(_ value: String, in identity: inout Identity) {
            switch self {
            case .username: identity.username = value
            case .givenName: identity.givenName = value
            case .familyName: identity.familyName = value
            case .email: identity.email = value
            case .managerEmail: identity.managerEmail = value
            }
        }
    }

    /// Checks rows one at a time, keeps the good ones, records a problem for
    /// each bad one and reports progress.
    struct RowCollector {
        let file: String
        let total: Int
        let progress: (@Sendable (Int, Int) -> Void)?
        private var result = Result(identities: [], errors: [])
        /// The line of each username seen so far.
        private var firstLines: [String: Int] = [:]
        private var count = 0

        /// How many rows pass between two progress reports.
        static let progressInterval = 1000
        /// The longest username accepted.
        static let maximumUsernameLength = 256

        init(file: String, total: Int, progress: (@Sendable (Int, Int) -> Void)?) {
            self.file = file
            self.total = total
            self.progress = progress
            result.identities.reserveCapacity(total)
        }

        /// Adds the row at `line` that reads as `identity`, unless it or
        /// `problems` (found while reading it) say it is wrong.
        mutating func add(_ identity: Identity, line: Int, problems: [String]) {
            var problems = problems
            if let problem = Self.usernameProblem(identity.username) {
                problems.append(problem)
            } else if let first = firstLines[identity.username] {
                problems.append("username `\(identity.username)` already appears at line \(first); list each person once")
            } else {
                firstLines[identity.username] = line
            }
            if let email = identity.email, !Self.isEmailShaped(email) {
                problems.append(Self.notAnEmail(.email))
            }
            if let email = identity.managerEmail, !Self.isEmailShaped(email) {
                problems.append(Self.notAnEmail(.managerEmail))
            }
            if problems.isEmpty {
                result.identities.append(identity)
            } else {
                result.errors.append(contentsOf: problems.map { RowError(file: file, line: line, message: $0) })
            }
            counted()
        }

        /// Skips the row at `line`, which could not be read as an identity.
        mutating func reject(line: Int, _ message: String) {
            result.errors.append(RowError(file: file, line: line, message: message))
            counted()
        }

        /// The identities and errors, after the last progress report.
        func finish() -> Result {
            if count == 0 || count % Self.progressInterval != 0 {
                progress?(count, total)
            }
            return result
        }

        private mutating func counted() {
            count += 1
            if count % Self.progressInterval == 0 {
                progress?(count, total)
            }
        }

        private static func usernameProblem(_ username: String) -> String? {
            if username.isEmpty {
                return "`username` is missing or empty; every identity needs one"
            }
            let unfit = username.unicodeScalars.contains {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            }
            if unfit {
                return "`username` contains a space, line break or control character; a username is one word"
            }
            if username.count > maximumUsernameLength {
                return "`username` is longer than \(maximumUsernameLength) characters"
            }
            return nil
        }

        /// Whether `value` has exactly one `@`, with text before and after it.
        private static func isEmailShaped(_ value: String) -> Bool {
            var offset = 0
            var at: Int?
            for byte in value.utf8 {
                if byte == UInt8(ascii: "@") {
                    guard at == nil else { return false }
                    at = offset
                }
                offset += 1
            }
            guard let at else { return false }
            return at > 0 && at < offset - 1
        }

        private static func notAnEmail(_ field: Field) -> String {
            "`\(field.rawValue)` is not an email address: it needs exactly one `@` with text on both sides"
        }
    }
}
