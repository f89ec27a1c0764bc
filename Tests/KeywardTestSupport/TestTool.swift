import Foundation

/// Runs the command-line tools tests need (`openssl`, `slapadd`, …).
public enum TestTool {
    /// Runs `executable` with `arguments` to completion; throws with its
    /// output when it fails. `environment` (`NAME=value` entries) replaces
    /// the process's when given.
    public static func run(_ executable: String, _ arguments: [String], environment: [String]? = nil) throws {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: executable)
        tool.arguments = arguments
        if let environment {
            tool.environment = Dictionary(
                environment.map { entry in
                    let parts = entry.split(separator: "=", maxSplits: 1)
                    return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                }, uniquingKeysWith: { $1 })
        }
        // The output goes to a file, not a pipe: a pipe's write end inherited
        // by a server another test starts meanwhile would keep the reader
        // waiting for an end that never comes.
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyward-tool-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath)
        else { throw TestToolError(description: "cannot create \(outputPath) for \(executable)'s output") }
        tool.standardOutput = output
        tool.standardError = output
        tool.standardInput = FileHandle.nullDevice
        try tool.run()
        tool.waitUntilExit()
        try? output.close()
        let text = (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data()
        guard tool.terminationStatus == 0 else {
            throw TestToolError(
                description: "\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: text, as: UTF8.self))")
        }
    }
}

/// A tool that failed, with its command line and output.
public struct TestToolError: Error, CustomStringConvertible {
    public let description: String
}
