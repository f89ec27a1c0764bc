import Foundation
import KeywardTestSupport
import Testing

@testable import KeywardScripting

@Suite("Rule catalogue", .offThePool)
struct CheckerCatalogueTests {
    @Test("ids run KW001 to KW012, and ids and names are unique")
    func identifiers() {
        #expect(
            CheckRule.all.map(\.id) == (1...12).map { "KW" + String(repeating: "0", count: $0 < 10 ? 2 : 1) + "\($0)" }
        )
        #expect(Set(CheckRule.all.map(\.name)).count == CheckRule.all.count)
        #expect(CheckRule.rule(withID: "KW006") == .unguardedNil)
        #expect(CheckRule.rule(withID: "KW999") == nil)
        let warnings = CheckRule.all.filter { $0.severity == .warning }.map(\.id)
        #expect(warnings == ["KW006", "KW007"])
    }

    static let ids = CheckRule.all.map(\.id)

    @Test("each rule's example triggers it and only it", arguments: ids)
    func exampleTriggers(id: String) throws {
        let rule = try #require(CheckRule.rule(withID: id))
        let ids = CheckerTestSupport.ruleIDs(rule.example)
        #expect(!ids.isEmpty)
        #expect(ids.allSatisfy { $0 == rule.id }, "\(ids)")
    }

    @Test("each rule's fixed example passes every rule", arguments: ids)
    func fixedExamplePasses(id: String) throws {
        let rule = try #require(CheckRule.rule(withID: id))
        #expect(CheckerTestSupport.ruleIDs(rule.fixedExample) == [])
    }

    @Test("the fix texts come from the allow-list where they list names")
    func fixFromAllowList() {
        for method in SandboxAllowList.handleMethods {
            #expect(CheckRule.unknownHandleMethod.fix.contains(method))
        }
        for member in SandboxAllowList.removedLibraryMembers.keys {
            #expect(CheckRule.libraryMember.description.contains(member))
        }
    }

    @Test("docs/checker-rules.md documents every rule: id, title, severity, examples and fix", arguments: ids)
    func documented(id: String) throws {
        let rule = try #require(CheckRule.rule(withID: id))
        let docs = try String(contentsOf: CheckerCatalogueTests.documentation, encoding: .utf8)
        let heading = "## \(rule.id): \(rule.title)"
        let range = try #require(docs.range(of: heading), "missing heading \(heading)")
        let rest = docs[range.upperBound...]
        let text = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        #expect(text.contains("Severity: **\(rule.severity.rawValue)**"))
        #expect(text.contains(rule.fix))
        if rule.example.unicodeScalars.allSatisfy({ $0.value >= 0x20 || $0 == "\n" }) {
            #expect(text.contains(rule.example), "example of \(rule.id)")
            #expect(text.contains(rule.fixedExample), "fixed example of \(rule.id)")
        }
    }

    static let documentation = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/checker-rules.md")
}
