import KeywardTestSupport
import Testing

@Suite("keyward test: malformed case files", .offThePool)
struct CaseFileErrorTests {
    struct Malformed: Sendable, CustomTestStringConvertible {
        let label: String
        let yaml: String
        /// `s.cases.yaml:LINE` (and column) that the error must name.
        let place: String
        /// Words the error must contain.
        let mentions: String

        var testDescription: String { label }
    }

    static let malformed: [Malformed] = [
        Malformed(
            label: "unknown key", yaml: "cases:\n  - name: a\n    input: x\n    expected: y\n",
            place: "s.cases.yaml:4:5", mentions: "unknown key 'expected'"),
        Malformed(
            label: "expect and expectError",
            yaml: "cases:\n  - name: a\n    input: x\n    expect: y\n    expectError: runtime\n",
            place: "s.cases.yaml:4:", mentions: "both 'expectError'"),
        Malformed(
            label: "input of the wrong type", yaml: "cases:\n  - name: a\n    input: [x]\n    expect: y\n",
            place: "s.cases.yaml:3:12", mentions: "'input' must be a string or null"),
        Malformed(
            label: "unknown error code", yaml: "cases:\n  - name: a\n    input: x\n    expectError: runtme\n",
            place: "s.cases.yaml:4:18", mentions: "'expectError' must be one of"),
        Malformed(
            label: "internal is not an expectable code",
            yaml: "cases:\n  - name: a\n    input: x\n    expectError: internal\n",
            place: "s.cases.yaml:4:18", mentions: "'expectError' must be one of"),
        Malformed(
            label: "missing cases", yaml: "tests:\n  - name: a\n", place: "s.cases.yaml:1:1",
            mentions: "'cases'"),
        Malformed(label: "empty file", yaml: "", place: "s.cases.yaml:1", mentions: "'cases'"),
        Malformed(
            label: "cases not a list", yaml: "cases: 3\n", place: "s.cases.yaml:1:8", mentions: "must be a list"),
        Malformed(
            label: "invalid YAML", yaml: "cases:\n  - name: a\n    input: \"x\n", place: "s.cases.yaml:4:",
            mentions: "invalid YAML"),
        Malformed(
            label: "no expectation", yaml: "cases:\n  - name: a\n    input: x\n", place: "s.cases.yaml:2:5",
            mentions: "expects nothing"),
        Malformed(
            label: "no input", yaml: "cases:\n  - name: a\n    expect: x\n", place: "s.cases.yaml:2:5",
            mentions: "needs an 'input'"),
        Malformed(
            label: "no name", yaml: "cases:\n  - input: x\n    expect: x\n", place: "s.cases.yaml:2:5",
            mentions: "needs a 'name'"),
        Malformed(
            label: "duplicate case name",
            yaml: "cases:\n  - name: a\n    input: x\n    expect: y\n  - name: a\n    input: x\n    expect: y\n",
            place: "s.cases.yaml:5:5", mentions: "a second case named 'a'"),
        Malformed(
            label: "duplicate key", yaml: "cases:\n  - name: a\n    input: x\n    input: y\n    expect: y\n",
            place: "s.cases.yaml:", mentions: "duplicate key 'input'"),
        Malformed(
            label: "expectLength not a number",
            yaml: "cases:\n  - name: a\n    input: x\n    expectLength: \"4\"\n",
            place: "s.cases.yaml:4:19", mentions: "'expectLength' must be a whole number"),
        Malformed(
            label: "unknown operation",
            yaml: "cases:\n  - name: a\n    input: x\n    context: { operation: explode }\n    expect: null\n",
            place: "s.cases.yaml:4:14", mentions: "unknown operation 'explode'"),
        Malformed(
            label: "context not a mapping",
            yaml: "cases:\n  - name: a\n    input: x\n    context: [a]\n    expect: null\n",
            place: "s.cases.yaml:4:14", mentions: "'context' must be a mapping"),
        Malformed(
            label: "expect with expectLength",
            yaml: "cases:\n  - name: a\n    input: x\n    expect: x\n    expectLength: 1\n",
            place: "s.cases.yaml:5:", mentions: "both 'expect' and"),
    ]

    @Test("a malformed case file is one line naming file and line, exit 2, nothing runs", arguments: malformed)
    func malformedCaseFile(_ malformed: Malformed) throws {
        let scratch = try Scratch()
        try scratch.write("s.lua", Scripts.identity)
        try scratch.write("s.cases.yaml", malformed.yaml)
        let result = try scratch.run("test", "s.lua")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        let line = try #require(result.stderrLines.first)
        #expect(line.hasPrefix("error: \(malformed.place)"), "\(result)")
        #expect(line.contains(malformed.mentions), "\(result)")
        #expect(result.stdout.isEmpty, "nothing ran")
    }

    @Test("one malformed file stops the whole run before anything runs")
    func stopsWholeRun() throws {
        let scratch = try Scratch()
        try scratch.write("lib/a.lua", Scripts.identity)
        try scratch.write("lib/a.cases.yaml", "cases:\n  - name: a\n    input: x\n    expect: x\n")
        try scratch.write("lib/b.lua", Scripts.identity)
        try scratch.write("lib/b.cases.yaml", "cases:\n  - name: a\n    input: x\n    expectd: x\n")
        let result = try scratch.run("test", "lib")
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("lib/b.cases.yaml:4:5"))
    }
}
