import Foundation
import KeywardTestSupport
import Testing

@testable import KeywardScripting

@Suite("Report formats", .offThePool)
struct CheckerReportFormatTests {
    static let reports = [
        ScriptChecker().check(source: "x = 1\nprint(attributeValue)\nreturn nil", path: "scripts/bad one.lua"),
        ScriptChecker().check(source: "return nil", path: "scripts/good.lua"),
    ]

    func object(_ json: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try #require(value as? [String: Any])
    }

    @Test("text: one line per finding, an indented fix line, then a summary")
    func text() {
        let expected = """
            scripts/bad one.lua:1:1: warning KW007: assigns the global `x`; globals are not kept between calls
                fix: Declare it as a local: `local x`.
            scripts/bad one.lua:2:1: error KW001: `print` writes to standard output; the sandbox has no output path
                fix: \(CheckRule.outputName.fix)
            2 files checked: 1 error, 1 warning

            """
        #expect(CheckReport.text(Self.reports) == expected)
        #expect(CheckReport.text([]) == "0 files checked: 0 errors, 0 warnings\n")
    }

    @Test("JSON: files with their findings, and totals, with sorted keys")
    func json() throws {
        let json = CheckReport.json(Self.reports)
        let root = try object(json)
        #expect(root["errors"] as? Int == 1)
        #expect(root["warnings"] as? Int == 1)
        let files = try #require(root["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == ["scripts/bad one.lua", "scripts/good.lua"])
        let findings = try #require(files[0]["findings"] as? [[String: Any]])
        #expect(findings.count == 2)
        let first = findings[0]
        #expect(Set(first.keys) == ["id", "severity", "line", "column", "message", "fix"])
        #expect(first["id"] as? String == "KW007")
        #expect(first["severity"] as? String == "warning")
        #expect(first["line"] as? Int == 1)
        #expect(first["column"] as? Int == 1)
        #expect((files[1]["findings"] as? [Any])?.isEmpty == true)
        let errorsKey = try #require(json.range(of: "\"errors\""))
        let filesKey = try #require(json.range(of: "\"files\""))
        #expect(errorsKey.lowerBound < filesKey.lowerBound)
    }

    @Test("SARIF 2.1.0: schema, version, driver with every rule, results pointing into the rules")
    func sarif() throws {
        let root = try object(CheckReport.sarif(Self.reports))
        #expect((root["$schema"] as? String)?.contains("sarif") == true)
        #expect(root["version"] as? String == "2.1.0")
        let runs = try #require(root["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let run = runs[0]
        #expect(run["columnKind"] as? String == "unicodeCodePoints")
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "keyward")
        #expect((driver["informationUri"] as? String)?.hasPrefix("https://") == true)
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == CheckRule.all.map(\.id))
        for (rule, entry) in zip(CheckRule.all, rules) {
            #expect(entry["name"] as? String == rule.name)
            #expect((entry["shortDescription"] as? [String: Any])?["text"] as? String == rule.title)
            #expect((entry["fullDescription"] as? [String: Any])?["text"] as? String == rule.description)
            #expect((entry["help"] as? [String: Any])?["text"] as? String == rule.fix)
            #expect((entry["defaultConfiguration"] as? [String: Any])?["level"] as? String == rule.severity.rawValue)
        }
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 2)
        for result in results {
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
        }
        let print = results[1]
        #expect(print["ruleId"] as? String == "KW001")
        #expect(print["level"] as? String == "error")
        #expect((print["message"] as? [String: Any])?["text"] as? String == Self.reports[0].findings[1].message)
        let location = try #require(
            (print["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
        )
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "scripts/bad%20one.lua")
        let region = try #require(location["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 2)
        #expect(region["startColumn"] as? Int == 1)
    }

    @Test("SARIF takes another information URI, and paths become URI references")
    func sarifOptions() throws {
        let root = try object(CheckReport.sarif([], informationURI: "https://example.org/rules"))
        let runs = try #require(root["runs"] as? [[String: Any]])
        let driver = (runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any]
        #expect(driver?["informationUri"] as? String == "https://example.org/rules")
        #expect((runs[0]["results"] as? [Any])?.isEmpty == true)
        #expect(CheckReport.uriReference(forPath: "a b/ü#1.lua") == "a%20b/%C3%BC%231.lua")
    }

    @Test("report counts and sorting")
    func reportBasics() {
        let report = Self.reports[0]
        #expect(report.hasErrors)
        #expect(report.errorCount == 1 && report.warningCount == 1)
        #expect(!Self.reports[1].hasErrors)
        let unsorted = CheckReport(
            path: "p",
            findings: [
                Finding(rule: .reveal, line: 2, column: 1, message: "b"),
                Finding(rule: .outputName, line: 1, column: 5, message: "a"),
            ]
        )
        #expect(unsorted.findings.map(\.message) == ["a", "b"])
        #expect(unsorted.findings[0].fix == CheckRule.outputName.fix)
    }
}
