import Foundation
import KeywardConfiguration
import KeywardCore
import Testing

/// A configuration written to a fresh temporary folder: a valid baseline
/// (`keyward.yaml`, `connectors/ldap.yaml`, `scripts/pass.lua`) with some
/// files replaced, added, or removed (an empty text removes a file).
final class ConfigFolder {
    let url: URL

    /// The folder's path with a trailing slash, stripped from locations so
    /// that tests compare `connectors/ldap.yaml`.
    var prefix: String { url.path + "/" }

    /// The path of `keyward.yaml` in the folder.
    var configPath: String { url.appendingPathComponent("keyward.yaml").path }

    init(_ files: [String: String] = [:], baseline: Bool = true) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var all = baseline ? Baseline.files : [:]
        all.merge(files) { _, new in new }
        for (name, text) in all where !text.isEmpty {
            try write(name, text)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func read(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: url.appendingPathComponent(name)), as: UTF8.self)
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path)
    }

    func load(examples: Bool = false) throws -> ConfigurationLoadResult {
        try ConfigurationLoader(path: configPath, includeExamples: examples).load()
    }

    /// A location's file relative to the folder.
    func relative(_ location: KeywardCore.SourceLocation?) -> String? {
        guard let file = location?.file else { return nil }
        return file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file
    }
}

/// The valid configuration every malformed case starts from.
enum Baseline {
    static let keyward = """
        version: 2
        store: sqlite:keyward.db
        limits: { instructions: 500000, memoryBytes: 4194304, timeLimitMs: 50 }
        defaults:
          generate: strong
          validate: [corporate]
        policies:
          strong:
            minLength: 16
            maxLength: 64
            classes: { upper: { min: 1 }, lower: { min: 1 }, digit: { min: 1 }, special: { min: 1, max: 4 } }
            minClasses: 3
            prohibited: "\\"'`\\\\"
            generate: characters
          corporate:
            minLength: 12
            maxLength: 128
            classes: { upper: {}, lower: {}, digit: {}, special: {} }
            minClasses: 3
            personalData: true
            dictionary: true

        """

    static let ldap = """
        type: ldap
        connection:
          url: ldaps://ldap.example.com:636
          bindDN: cn=keyward,dc=example,dc=com
          bindPassword: ${env:KEYWARD_TEST_BIND}
          baseDN: ou=people,dc=example,dc=com
        passwordPolicy:
          generate: strong
          validate: [corporate]
        mapping:
          attributes:
            - { name: uid, source: username, uid: true }
            - { name: mail, source: email }
            - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }

        """

    static let script = "if attributeValue == nil then\n  return nil\nend\nreturn attributeValue\n"

    static let files = [
        "keyward.yaml": keyward,
        "connectors/ldap.yaml": ldap,
        "scripts/pass.lua": script,
    ]
}

/// One malformed configuration and the error it must produce.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    let name: String
    let files: [String: String]
    let file: String
    let line: Int
    let column: Int?
    let code: ConfigurationError.Code
    let gist: [String]
    /// Text that must appear in no message (a secret's canary).
    let absent: [String]

    init(
        _ name: String, _ files: [String: String], file: String, line: Int, column: Int? = nil,
        code: ConfigurationError.Code, gist: [String], absent: [String] = []
    ) {
        self.name = name
        self.files = files
        self.file = file
        self.line = line
        self.column = column
        self.code = code
        self.gist = gist
        self.absent = absent
    }

    var testDescription: String { name }

    private func matches(_ error: ConfigurationError, relativeFile: String?) -> Bool {
        guard relativeFile == file, error.location?.line == line, error.code == code else { return false }
        if let column, error.location?.column != column { return false }
        return gist.allSatisfy { error.message.contains($0) }
    }

    /// Loads the case and checks that its error is among the errors, at the
    /// file, line (and column) given, with every gist fragment in its message.
    func verify() throws {
        let folder = try ConfigFolder(files)
        let result = try folder.load()
        let match = result.errors.first { error in
            matches(error, relativeFile: folder.relative(error.location))
        }
        let rendered = result.errors.map { error in
            let place = "\(folder.relative(error.location) ?? "-"):\(error.location?.line ?? 0):\(error.location?.column ?? 0)"
            return "\(place) [\(error.code)] \(error.message)"
        }
        #expect(match != nil, "expected \(file):\(line) [\(code)] \(gist); got:\n\(rendered.joined(separator: "\n"))")
        for text in absent {
            for problem in result.errors + result.warnings {
                #expect(!problem.description.contains(text), "a message repeats a secret: \(problem.message)")
            }
        }
    }
}
