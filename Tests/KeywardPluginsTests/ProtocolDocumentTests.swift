import Foundation
import KeywardTestSupport
import Testing

/// docs/plugin-protocol.md stays true: its full example exchange is what
/// the example plugin answers, line for line.
@Suite("The protocol document", .offThePool)
struct ProtocolDocumentTests {
    static let document = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/plugin-protocol.md")

    @Test("the full exchange: Keyward's lines in, the example plugin's lines out")
    func fullExchange() throws {
        let folder = try PluginFolder()
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let sent = lines.filter { $0.hasPrefix("> ") }.map { $0.dropFirst(2) + "\n" }.joined()
        let expected = lines.filter { $0.hasPrefix("< ") }.map { $0.dropFirst(2) + "\n" }.joined()
        #expect(sent.split(separator: "\n").count == 14 && expected.split(separator: "\n").count == 14)

        let input = folder.url.appendingPathComponent("in.jsonl")
        let output = folder.url.appendingPathComponent("out.jsonl")
        try Data(sent.utf8).write(to: input)
        try Data().write(to: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PluginFolder.examplePlugin)
        process.arguments = Array(folder.exampleWords().dropFirst())
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: try Data(contentsOf: output), as: UTF8.self) == expected)
    }
}
