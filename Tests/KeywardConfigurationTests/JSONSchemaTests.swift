import Foundation
import KeywardTestSupport
import Testing

/// The JSON Schemas in `schema/` accept every shipped file and reject
/// malformed ones. Validation is Python's `jsonschema` (Draft 2020-12) over
/// `yaml.safe_load`, as an editor's YAML language server would see the files
/// (`make setup` installs both modules).
@Suite("JSON Schemas", .offThePool)
struct JSONSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mainSchema = root.appendingPathComponent("schema/keyward.schema.json").path
    static let connectorSchema = root.appendingPathComponent("schema/connector.schema.json").path

    /// Checks each schema against the Draft 2020-12 meta-schema, then prints
    /// one JSON object: file → list of error messages.
    static let validator = """
        import json, sys, yaml, jsonschema
        result = {}
        for schema_path, file_path in zip(sys.argv[1::2], sys.argv[2::2]):
            schema = json.load(open(schema_path))
            jsonschema.Draft202012Validator.check_schema(schema)
            document = yaml.safe_load(open(file_path))
            validator = jsonschema.Draft202012Validator(schema)
            result[file_path] = [e.message for e in validator.iter_errors(document)]
        print(json.dumps(result))
        """

    /// Validates `(schema, file)` pairs; the messages per file.
    static func validate(_ pairs: [(String, String)]) throws -> [String: [String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", validator] + pairs.flatMap { [$0.0, $0.1] }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0,
            "python3 with jsonschema and yaml is needed (make setup installs them): \(errorText)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String]])
    }

    @Test("every shipped file validates against its schema")
    func shipped() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("connectors").path)
            .filter { $0.hasSuffix(".yaml.example") || $0.hasSuffix(".yaml") }.sorted()
        #expect(examples == [
            "ad.yaml.example", "demo-hr.yaml", "entra.yaml.example", "ldap.yaml.example", "plugin-example.yaml.example",
            "servicenow.yaml.example", "sql-postgres.yaml.example",
        ])
        var pairs = [(Self.mainSchema, Self.root.appendingPathComponent("keyward.yaml").path)]
        pairs += examples.map { (Self.connectorSchema, Self.root.appendingPathComponent("connectors/\($0)").path) }
        let results = try Self.validate(pairs)
        #expect(results.count == 8)
        for (file, messages) in results {
            #expect(messages.isEmpty, "\(file): \(messages)")
        }
    }

    @Test("each shipped example names its schema for the YAML language server")
    func modelines() throws {
        let connectors = Self.root.appendingPathComponent("connectors")
        for name in try FileManager.default.contentsOfDirectory(atPath: connectors.path) where name.hasSuffix(".yaml.example") || name.hasSuffix(".yaml") {
            let text = try String(contentsOf: connectors.appendingPathComponent(name), encoding: .utf8)
            #expect(text.hasPrefix("# yaml-language-server: $schema=../schema/connector.schema.json\n"), "\(name)")
        }
        let main = try String(contentsOf: Self.root.appendingPathComponent("keyward.yaml"), encoding: .utf8)
        #expect(main.hasPrefix("# yaml-language-server: $schema=schema/keyward.schema.json\n"))
    }

    static let malformedConnectors: [(String, String)] = [
        ("a literal secret", Baseline.ldap.replacingOccurrences(of: "${env:KEYWARD_TEST_BIND}", with: "hunter2")),
        ("an unknown type", Baseline.ldap.replacingOccurrences(of: "type: ldap", with: "type: openldap")),
        ("__PASSWORD__ without password: true", Baseline.ldap.replacingOccurrences(of: "__PASSWORD__, password: true,", with: "__PASSWORD__,")),
        ("a password attribute without a transform", Baseline.ldap.replacingOccurrences(of: ", transform: scripts/pass.lua", with: "")),
        ("validate as a string", Baseline.ldap.replacingOccurrences(of: "validate: [corporate]", with: "validate: corporate")),
        ("no uid", Baseline.ldap.replacingOccurrences(of: ", uid: true", with: "")),
        ("two uids", Baseline.ldap.replacingOccurrences(of: "source: email }", with: "source: email, uid: true }")),
        ("an unknown key", Baseline.ldap.replacingOccurrences(of: "passwordPolicy:", with: "passwordPolicies:")),
        ("a missing type", Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "")),
        ("ldap:// without StartTLS", Baseline.ldap.replacingOccurrences(of: "ldaps://ldap.example.com:636", with: "ldap://ldap.example.com")),
        ("a bad reference", Baseline.ldap.replacingOccurrences(of: "${env:KEYWARD_TEST_BIND}", with: "${vault:bind}")),
        ("an unknown source", Baseline.ldap.replacingOccurrences(of: "source: email", with: "source: mail")),
    ]

    static let malformedMains: [(String, String)] = [
        ("version 1", Baseline.keyward.replacingOccurrences(of: "version: 2", with: "version: 1")),
        ("no version", Baseline.keyward.replacingOccurrences(of: "version: 2\n", with: "")),
        ("a PostgreSQL URL with a password", Baseline.keyward.replacingOccurrences(of: "sqlite:keyward.db", with: "postgres://k:pw@db/k")),
        ("a bad duration", Baseline.keyward + "  aged: { maxAge: 90days }\n"),
        ("a negative length", Baseline.keyward + "  short: { minLength: -1 }\n"),
        ("a custom class without characters", Baseline.keyward + "  odd: { classes: { umlauts: { min: 1 } } }\n"),
        ("an unknown policy key", Baseline.keyward + "  typo: { minLenght: 12 }\n"),
    ]

    @Test("malformed files do not validate")
    func malformed() throws {
        let folder = try ConfigFolder([:], baseline: false)
        var pairs: [(String, String)] = []
        var names: [String: String] = [:]
        let cases = Self.malformedConnectors.map { ($0.0, $0.1, Self.connectorSchema) }
            + Self.malformedMains.map { ($0.0, $0.1, Self.mainSchema) }
        for (index, (name, text, schema)) in cases.enumerated() {
            let file = "case-\(index).yaml"
            try folder.write(file, text)
            let path = folder.url.appendingPathComponent(file).path
            pairs.append((schema, path))
            names[path] = name
        }
        let results = try Self.validate(pairs)
        #expect(results.count == pairs.count)
        for (file, messages) in results {
            #expect(!messages.isEmpty, "\(names[file] ?? file) validated")
        }
        try folder.write("good.yaml", Baseline.ldap)
        try folder.write("good-main.yaml", Baseline.keyward)
        let good = try Self.validate([
            (Self.connectorSchema, folder.url.appendingPathComponent("good.yaml").path),
            (Self.mainSchema, folder.url.appendingPathComponent("good-main.yaml").path),
        ])
        #expect(good.values.allSatisfy { $0.isEmpty }, "\(good)")
    }
}
