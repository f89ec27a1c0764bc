import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What one run of the `keyward` binary printed, and how it ended.
struct CommandResult: Sendable, CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Both streams, for "appears nowhere" assertions.
    var allOutput: String { stdout + stderr }

    /// The non-empty lines of standard error.
    var stderrLines: [Substring] { stderr.split(separator: "\n") }

    /// The non-empty lines of standard output.
    var stdoutLines: [Substring] { stdout.split(separator: "\n") }

    var description: String { "status \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// The `keyward` executable built next to the test binary, run as a child
/// process with standard output and standard error captured separately.
enum KeywardProcess {
    /// The built `keyward`: the test target depends on the executable target,
    /// so `swift build`/`swift test` put it in the same products folder as
    /// the test binary; walk up from the test binary until it is found.
    static let executable: URL? = {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: running).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("keyward")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), !isFolder.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    /// The repository root (for the shipped `scripts/`), from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A child that has not exited after this long is killed, so that a hang
    /// fails the test instead of blocking the run. Not an assertion on time.
    static let watchdogSeconds = 120.0

    /// Runs `keyward arguments…` in `directory`, feeding `stdin` (or nothing);
    /// killed after `watchdog` seconds.
    static func run(
        _ arguments: [String], in directory: URL, stdin: Data? = nil, environment: [String: String] = [:],
        watchdog: Double = watchdogSeconds
    ) throws -> CommandResult {
        guard let executable else {
            throw LocateError(message: "the keyward executable was not found next to the test binary")
        }
        let io = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: io, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: io) }
        let outURL = io.appendingPathComponent("stdout")
        let errURL = io.appendingPathComponent("stderr")
        let inURL = io.appendingPathComponent("stdin")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        try (stdin ?? Data()).write(to: inURL)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer {
            try? out.close()
            try? err.close()
            try? input.close()
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let killer = Watchdog(pid: process.processIdentifier, seconds: watchdog)
        process.waitUntilExit()
        killer.disarm()

        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    struct LocateError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// Kills one child, by its pid, if it is still running after a deadline.
private final class Watchdog: Sendable {
    private let finished = Atomic<Bool>(false)

    init(pid: Int32, seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            if !finished.load(ordering: .acquiring) {
                kill(pid, SIGKILL)
            }
        }
    }

    func disarm() {
        finished.store(true, ordering: .releasing)
    }
}

/// A fresh temporary folder for one test, removed when the test ends.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `text` as UTF-8 to `name` (folders created as needed).
    func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes `bytes` to `name` (folders created as needed).
    func write(_ name: String, bytes: [UInt8]) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }

    /// Creates `name` as a sparse file of `size` bytes (quick, whatever the size).
    func writeSparse(_ name: String, size: UInt64) throws {
        let file = url.appendingPathComponent(name)
        try Data().write(to: file)
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: size)
        try handle.close()
    }

    /// Creates the folder `name`.
    func makeFolder(_ name: String) throws {
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent(name), withIntermediateDirectories: true)
    }

    /// Runs `keyward arguments…` in this folder.
    func run(_ arguments: String..., stdin: Data? = nil) throws -> CommandResult {
        try KeywardProcess.run(arguments, in: url, stdin: stdin)
    }

    /// Runs `keyward arguments…` in this folder.
    func run(
        arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        watchdog: Double = KeywardProcess.watchdogSeconds
    ) throws -> CommandResult {
        try KeywardProcess.run(arguments, in: url, stdin: stdin, environment: environment, watchdog: watchdog)
    }
}

/// Scripts the tests use.
enum Scripts {
    /// Returns its input: the result is the input (or nil).
    static let identity = "if attributeValue == nil then return nil end\nreturn attributeValue\n"
    /// Upper-cases its input.
    static let upper = "if attributeValue == nil then return nil end\nreturn attributeValue:upper()\n"
    /// Clean, but without a nil check: one KW006 warning.
    static let unguarded = "return attributeValue:upper()\n"
    /// Refused by the checker (KW001), and prints a marker if anything ever ran it with print.
    static let printing = "print(\"\(printedMarker)\")\nprint(attributeValue)\nreturn attributeValue\n"
    /// The marker `printing` tries to print.
    static let printedMarker = "kw-script-output-marker-51d2"
    /// Raises an error on line 2.
    static let raising = "if attributeValue == nil then return nil end\nerror(\"boom from the script\")\nreturn nil\n"
    /// Reveals the value and raises it as an error (needs --allow-reveal).
    static let raisingSecret = "if attributeValue == nil then return nil end\nerror(attributeValue:reveal())\nreturn nil\n"
    /// Never ends.
    static let looping = "while true do end\nreturn nil\n"
    /// Asks for 1 GiB.
    static let hungry = "local s = (\"x\"):rep(2^30)\nreturn nil\n"
    /// Returns a plain string.
    static let plainString = "return \"plain text\"\n"
    /// A syntax error at line 1, column 11.
    static let syntaxError = "local x = = 1\nreturn nil\n"
    /// Appends context facts.
    static let withContext = """
        if attributeValue == nil then return nil end
        return attributeValue .. "|" .. context.system .. "|" .. context.operation .. "|" .. context.mail
        """
}

/// The SHA-256 of "abc" begins with these 8 hex digits (FIPS 180-2 test vector).
let abcSHA256Prefix = "ba7816bf"
