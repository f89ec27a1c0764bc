extension CheckReport {
    /// Where SARIF's `tool.driver.informationUri` points unless told
    /// otherwise: a placeholder (the `.invalid` domain never resolves) until
    /// the project has a public home for `docs/checker-rules.md`.
    public static let defaultInformationURI = "https://keyward.invalid/docs/checker-rules.md"

    /// Reports as SARIF 2.1.0 for CI (one run of the tool `keyward`), with
    /// every rule of ``CheckRule/all`` in `tool.driver.rules` and columns in
    /// Unicode code points (`columnKind: unicodeCodePoints`).
    public static func sarif(_ reports: [CheckReport], informationURI: String = defaultInformationURI) -> String {
        let rules = CheckRule.all
        let ruleIndexes = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        let results = reports.flatMap { report in
            report.findings.map { finding in
                SARIF.Result(
                    ruleId: finding.ruleID,
                    ruleIndex: ruleIndexes[finding.ruleID] ?? 0,
                    level: finding.severity.rawValue,
                    message: SARIF.Text(text: finding.message),
                    locations: [
                        SARIF.Location(
                            physicalLocation: SARIF.PhysicalLocation(
                                artifactLocation: SARIF.ArtifactLocation(uri: uriReference(forPath: report.path)),
                                region: SARIF.Region(startLine: finding.line, startColumn: finding.column)
                            )
                        )
                    ],
                    properties: SARIF.ResultProperties(fix: finding.fix)
                )
            }
        }
        let driver = SARIF.Driver(
            name: "keyward",
            informationUri: informationURI,
            rules: rules.map {
                SARIF.Rule(
                    id: $0.id,
                    name: $0.name,
                    shortDescription: SARIF.Text(text: $0.title),
                    fullDescription: SARIF.Text(text: $0.description),
                    help: SARIF.Text(text: $0.fix),
                    defaultConfiguration: SARIF.Configuration(level: $0.severity.rawValue)
                )
            }
        )
        let log = SARIF(runs: [SARIF.Run(tool: SARIF.Tool(driver: driver), results: results)])
        return encodedJSON(log)
    }

    /// A path as a relative URI reference: bytes outside RFC 3986's
    /// unreserved characters, sub-delimiters, `/`, `:` and `@` are
    /// percent-encoded.
    static func uriReference(forPath path: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/!$&'()*+,;=:@".utf8)
        var uri = ""
        for byte in path.utf8 {
            if allowed.contains(byte) {
                uri.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                uri += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return uri
    }
}

/// The subset of SARIF 2.1.0 the checker writes.
private struct SARIF: Encodable {
    struct Text: Encodable {
        var text: String
    }

    struct Configuration: Encodable {
        var level: String
    }

    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: Text
        var fullDescription: Text
        var help: Text
        var defaultConfiguration: Configuration
    }

    struct Driver: Encodable {
        var name: String
        var informationUri: String
        var rules: [Rule]
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct ArtifactLocation: Encodable {
        var uri: String
    }

    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }

    struct Location: Encodable {
        var physicalLocation: PhysicalLocation
    }

    struct ResultProperties: Encodable {
        var fix: String
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var locations: [Location]
        var properties: ResultProperties
    }

    struct Run: Encodable {
        var tool: Tool
        var columnKind = "unicodeCodePoints"
        var results: [Result]
    }

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version
        case runs
    }

    var schema = "https://json.schemastore.org/sarif-2.1.0.json"
    var version = "2.1.0"
    var runs: [Run]
}
