import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Running the PostgreSQL tools (the server is started by `ChildProcess`).
enum PostgresProcess {
    /// The PostgreSQL programs' environment: a minimal one.
    static let environment = ["LANG=C", "PATH=/usr/bin:/bin"]

    /// Runs a tool to completion with `environment` added to a minimal one;
    /// returns its stdout, or throws with its stderr when it fails.
    ///
    /// The output goes to files, not pipes: a pipe's write end inherited by
    /// a process another test starts meanwhile (a server, living on) would
    /// keep its reader waiting for an end that never comes.
    @discardableResult
    static func output(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-pgtool-\(UUID().uuidString)").path
        let (outputPath, errorPath) = (base + ".out", base + ".err")
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            FileManager.default.createFile(atPath: errorPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath), let errors = FileHandle(forWritingAtPath: errorPath)
        else { throw PostgresServerError("cannot create \(base).out/.err for \(executable)'s output") }
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: executable)
        tool.arguments = arguments
        tool.environment = ["LANG": "C", "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        tool.standardOutput = output
        tool.standardError = errors
        tool.standardInput = FileHandle.nullDevice
        try tool.run()
        tool.waitUntilExit()
        try? output.close()
        try? errors.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard tool.terminationStatus == 0 else {
            let errorText = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw PostgresServerError("\(executable) \(arguments.dropLast().joined(separator: " ")) failed: \(errorText)")
        }
        return text
    }
}
