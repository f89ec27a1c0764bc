import Foundation
import KeywardConfiguration
import KeywardCore
import KeywardTestSupport
import Synchronization
import Testing

@Suite("Identity files", .offThePool)
struct IdentityFileTests {
    /// Writes `bytes` to a file called `name` in a fresh temporary folder
    /// and returns its path.
    private func write(_ name: String, bytes: [UInt8]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-identities-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    private func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Reads `text` as a file called `name`, with errors' paths shortened to `name`.
    private func read(_ name: String, _ text: String) throws -> IdentityFile.Result {
        let path = try write(name, text)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var result = try IdentityFile.read(path: path)
        result.errors = result.errors.map { IdentityFile.RowError(file: name, line: $0.line, message: $0.message) }
        return result
    }

    /// The error `text` throws as a file called `name`, its path shortened to `name`.
    private func failure(_ name: String, _ text: String) throws -> IdentityFile.RowError {
        let path = try write(name, text)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let error = try #require(throws: IdentityFile.RowError.self) { try IdentityFile.read(path: path) }
        return IdentityFile.RowError(file: name, line: error.line, message: error.message)
    }

    // MARK: CSV

    @Test("CSV with a BOM, CRLF, and quoted commas, quotes and line breaks")
    func quotedCSV() throws {
        let text = "\u{FEFF}username,givenName,notes\r\n"
            + "alice,\"Smith, Alice\",\"line one\r\nline two\"\r\n"
            + "bob,Bob,\"He said \"\"hi\"\"\"\r\n"
            + "bad user,X,\r\n"
            + "carol,,\r\n"
        let result = try read("people.csv", text)
        #expect(
            result.identities == [
                Identity(username: "alice", givenName: "Smith, Alice", attributes: ["notes": "line one\r\nline two"]),
                Identity(username: "bob", givenName: "Bob", attributes: ["notes": "He said \"hi\""]),
                Identity(username: "carol"),
            ])
        #expect(result.errors.map(\.line) == [5])
    }

    @Test("LF line ends, no final line break, and blank rows skipped")
    func plainCSV() throws {
        let result = try read("people.csv", "username,email\n\nalice,alice@example.com\n,\n\nbob,bob@example.com")
        #expect(result.identities.map(\.username) == ["alice", "bob"])
        #expect(result.identities.map(\.email) == ["alice@example.com", "bob@example.com"])
        #expect(result.errors.isEmpty)
    }

    @Test("snake_case and other-case headers map to the fields")
    func headerSpellings() throws {
        let text = "Username,given_name,FAMILY_NAME,Email,manager_email\nalice,Alice,Smith,a@x.org,boss@x.org\n"
        let result = try read("people.csv", text)
        #expect(
            result.identities == [
                Identity(username: "alice", givenName: "Alice", familyName: "Smith", email: "a@x.org", managerEmail: "boss@x.org")
            ])
    }

    @Test("other columns are free attributes, empty cells are left out, short rows are fine")
    func freeAttributes() throws {
        let result = try read("people.csv", "username,department,Employee No\nalice,Sales,42\nbob,,7\ncarol\n")
        #expect(result.identities.map(\.attributes) == [["department": "Sales", "Employee No": "42"], ["Employee No": "7"], [:]])
        #expect(result.errors.isEmpty)
    }

    @Test(
        "a bad row is reported at its line and skipped; the good rows import",
        arguments: [
            (",Nobody", "`username` is missing or empty; every identity needs one"),
            ("al ice,A", "`username` contains a space, line break or control character; a username is one word"),
            ("al\u{7}ice,A", "`username` contains a space, line break or control character; a username is one word"),
            (String(repeating: "a", count: 257) + ",A", "`username` is longer than 256 characters"),
            ("dave,D,extra", "the row has 3 cells but the header names 2 columns; put a cell that contains a comma in double quotes"),
            ("da\"ve,D", "a `\"` inside a cell that does not start with one; put the whole cell in double quotes and double the `\"` inside it"),
            ("\"dave\"x,D", "text after the `\"` that closes a cell; put the whole cell in double quotes and double the `\"` inside it"),
        ])
    func badCSVRow(_ row: String, _ message: String) throws {
        let result = try read("people.csv", "username,givenName\nalice,Alice\n\(row)\nbob,Bob\n")
        #expect(result.identities.map(\.username) == ["alice", "bob"])
        #expect(result.errors == [IdentityFile.RowError(file: "people.csv", line: 3, message: message)])
    }

    @Test(
        "an email or manager email needs exactly one @ with text on both sides",
        arguments: ["alice", "@example.com", "alice@", "a@b@c", "@"])
    func badEmail(_ email: String) throws {
        let result = try read("people.csv", "username,email,manager_email\nalice,\(email),\nbob,,\(email)\ncarol,c@x.org,boss@x.org\n")
        #expect(result.identities.map(\.username) == ["carol"])
        #expect(
            result.errors == [
                IdentityFile.RowError(
                    file: "people.csv", line: 2,
                    message: "`email` is not an email address: it needs exactly one `@` with text on both sides"),
                IdentityFile.RowError(
                    file: "people.csv", line: 3,
                    message: "`managerEmail` is not an email address: it needs exactly one `@` with text on both sides"),
            ])
    }

    @Test("a username seen before is reported on its second row, naming the first's line")
    func duplicateCSV() throws {
        let result = try read("people.csv", "username,givenName\nalice,\"Alice\nA.\"\nbob,Bob\nalice,Other\n")
        #expect(result.identities.map(\.givenName) == ["Alice\nA.", "Bob"])
        #expect(
            result.errors == [
                IdentityFile.RowError(
                    file: "people.csv", line: 5, message: "username `alice` already appears at line 2; list each person once")
            ])
    }

    @Test("an unclosed quote swallows the rest of the file and is reported where its row starts")
    func unclosedQuote() throws {
        let result = try read("people.csv", "username,givenName\nalice,Alice\nbob,\"Bob\ncarol,Carol\n")
        #expect(result.identities.map(\.username) == ["alice"])
        #expect(result.errors.map(\.line) == [3])
        #expect(result.errors.first?.message.hasPrefix("the `\"` that opens a cell at line 3 is never closed") == true)
    }

    @Test(
        "a header that cannot be read refuses the file",
        arguments: [
            ("name,email\nalice,a@x.org\n", "no `username` column; the header has `name` and `email` (the first line must name the columns)"),
            ("username,dept,dept\n", "column `dept` appears twice in the header; keep one"),
            ("username,givenName,given_name\n", "columns `givenName` and `given_name` both mean `givenName`; keep one"),
            ("username,,dept\n", "column 2 of the header has no name; name it or remove the column"),
            ("", "the file is empty; its first line must name the columns, at least `username`"),
        ])
    func badHeader(_ text: String, _ message: String) throws {
        #expect(try failure("people.csv", text) == IdentityFile.RowError(file: "people.csv", line: 1, message: message))
    }

    @Test("a column that looks like a secret refuses the file", arguments: ["password", "Password", "user_pwd", "apiToken", "Secret"])
    func secretColumn(_ column: String) throws {
        let error = try failure("people.csv", "username,\(column)\nalice,hunter2\n")
        #expect(
            error.description
                == "people.csv:1: column `\(column)` looks like a secret; identity files carry no passwords — remove the column")
    }

    // MARK: Files

    @Test("a file that cannot be read at all throws")
    func unreadable() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-\(UUID().uuidString).csv").path
        #expect(throws: IdentityFile.RowError(file: missing, line: 0, message: "no such file")) {
            try IdentityFile.read(path: missing)
        }
        let extensionError = try failure("people.txt", "username\nalice\n")
        #expect(extensionError.line == 0)
        #expect(extensionError.message == "identity files are read from `.csv`, `.yaml` or `.yml` files; not `.txt`")
        #expect(extensionError.description.hasPrefix("people.txt: identity files"))

        let latin1 = try write("people.csv", bytes: Array("username\nalice\n".utf8) + [0x6A, 0xF6, 0x72, 0x67, 0x0A])
        let error = try #require(throws: IdentityFile.RowError.self) { try IdentityFile.read(path: latin1) }
        #expect(error.line == 3)
        #expect(error.message.hasPrefix("is not valid UTF-8"))
    }

    // MARK: YAML

    @Test("a YAML list of identities, with attributes as written")
    func yamlList() throws {
        let text = """
            - username: alice
              givenName: Alice
              familyName: "Smith"
              email: alice@example.com
              managerEmail: boss@example.com
              attributes:
                department: Sales
                employeeNumber: 0042
                remote: yes
                empty: ~
            - username: bob
            """
        let result = try read("people.yaml", text)
        #expect(
            result.identities == [
                Identity(
                    username: "alice", givenName: "Alice", familyName: "Smith", email: "alice@example.com",
                    managerEmail: "boss@example.com",
                    attributes: ["department": "Sales", "employeeNumber": "0042", "remote": "yes"]),
                Identity(username: "bob"),
            ])
        #expect(result.errors.isEmpty)
    }

    @Test("`identities:` holding the list, with bad rows at their lines")
    func yamlIdentities() throws {
        let text = """
            identities:
              - username: alice
              - username: bob
                mail: bob@example.com
              - just a string
              - username: alice
                givenName: [A]
              - username: carol
                email: carol
            """
        let result = try read("people.yml", text)
        #expect(result.identities.map(\.username) == ["alice"])
        #expect(
            result.errors == [
                IdentityFile.RowError(
                    file: "people.yml", line: 3,
                    message: "unknown key `mail` (did you mean `email`?); an identity has `username`, `givenName`, "
                        + "`familyName`, `email`, `managerEmail` and `attributes`"),
                IdentityFile.RowError(
                    file: "people.yml", line: 5,
                    message: "expected a mapping with `username` and the other identity keys, got a string"),
                IdentityFile.RowError(file: "people.yml", line: 6, message: "`givenName` must be text, got a list"),
                IdentityFile.RowError(
                    file: "people.yml", line: 6, message: "username `alice` already appears at line 2; list each person once"),
                IdentityFile.RowError(
                    file: "people.yml", line: 8,
                    message: "`email` is not an email address: it needs exactly one `@` with text on both sides"),
            ])
    }

    @Test("an empty `identities:` holds no one")
    func yamlEmptyList() throws {
        let result = try read("people.yaml", "identities:\n")
        #expect(result.identities.isEmpty && result.errors.isEmpty)
    }

    @Test(
        "YAML that cannot be read refuses the file",
        arguments: [
            ("- username: alice\n  password: hunter2\n", 2, "key `password` looks like a secret; identity files carry no passwords — remove the key"),
            ("- username: alice\n  attributes:\n    apiToken: x\n", 3, "key `apiToken` looks like a secret; identity files carry no passwords — remove the key"),
            ("people:\n  - username: alice\n", 1, "unknown key `people` at the top of the file; expected a list of identities, or `identities:` holding that list"),
            ("identities: alice\n", 1, "`identities` must be a list of identities, got a string"),
            ("", 1, "the file is empty; expected a list of identities, or `identities:` holding that list"),
        ])
    func badYAML(_ text: String, _ line: Int, _ message: String) throws {
        #expect(try failure("people.yaml", text) == IdentityFile.RowError(file: "people.yaml", line: line, message: message))
    }

    @Test("a YAML syntax error throws with its line")
    func yamlSyntax() throws {
        let error = try failure("people.yaml", "- username: alice\n- username: bob\n  givenName: [Bob\n")
        #expect(error.message.hasPrefix("invalid YAML"))
        #expect(error.line == 3)
    }

    // MARK: Progress and size

    @Test("progress is reported every 1000 rows and once at the end", arguments: [(0, [0]), (2000, [1000, 2000]), (2500, [1000, 2000, 2500])])
    func progress(_ rows: Int, _ reported: [Int]) throws {
        let text = "username\n" + (0..<rows).map { "user\($0)\n" }.joined()
        let path = try write("people.csv", text)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let calls = ProgressCalls()
        _ = try IdentityFile.read(path: path) { read, total in calls.list.withLock { $0.append([read, total]) } }
        #expect(calls.list.withLock { $0 } == reported.map { [$0, rows] })
    }

    @Test("a 20,000-row file reads in full")
    func large() throws {
        var text = "username,givenName,familyName,email,department\n"
        for index in 0..<20_000 {
            text += "user\(index),Given \(index),\"Family, \(index)\",user\(index)@example.com,dept\(index % 7)\n"
        }
        let path = try write("people.csv", text)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = try IdentityFile.read(path: path)
        #expect(result.identities.count == 20_000)
        #expect(result.errors.isEmpty)
        #expect(result.identities.last == Identity(
            username: "user19999", givenName: "Given 19999", familyName: "Family, 19999", email: "user19999@example.com",
            attributes: ["department": "dept0"]))
    }
}

/// The (read, total) pairs a progress callback received.
private final class ProgressCalls: Sendable {
    let list = Mutex<[[Int]]>([])
}
