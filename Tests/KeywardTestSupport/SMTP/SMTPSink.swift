import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway aiosmtpd (Debian's python3-aiosmtpd, run by `/usr/bin/python3`)
/// on 127.0.0.1 and a free port, with a certificate from a throwaway CA, for
/// the mail tests. Stopped by PID (SIGTERM, then waited for).
public final class SMTPSink: @unchecked Sendable {
    /// How the sink speaks TLS.
    public enum Mode: String, Sendable {
        /// STARTTLS and AUTH required (smtp://).
        case starttls
        /// TLS from the first byte, AUTH required (smtps://).
        case smtps
        /// No TLS at all: a server without STARTTLS.
        case plain
    }

    /// The login the sink accepts.
    public static let username = "keyward"
    /// The password the sink accepts.
    public static let password = "Sink#Login-42"

    /// The sink's folder: certificates, script, log.
    public let directory: String
    /// The port it listens on.
    public let port: Int
    /// How it speaks TLS.
    public let mode: Mode
    // Replaced only by `pause()`/`resume()`, which tests call from one task.
    private var process: Process

    /// The CA that signed the sink's certificate (give it as `caCertificate`).
    public var caPath: String { directory + "/ca.pem" }
    /// A CA that signed nothing the sink presents.
    public var otherCAPath: String { directory + "/other-ca.pem" }
    /// `smtp://127.0.0.1:PORT` or `smtps://…`.
    public var url: String { "\(mode == .smtps ? "smtps" : "smtp")://127.0.0.1:\(port)" }
    private var logPath: String { directory + "/messages.jsonl" }

    private init(directory: String, port: Int, mode: Mode, process: Process) {
        self.directory = directory
        self.port = port
        self.mode = mode
        self.process = process
    }

    /// Makes the certificates, writes the script and starts the sink on a
    /// port of `nextPort`; returns once it accepts connections. A port
    /// taken before the sink binds it makes it try the next
    /// (``FreePort/retrying(_:)``).
    public static func start(_ mode: Mode = .starttls, ports nextPort: () throws -> Int = FreePort.next) throws -> SMTPSink {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-smtp-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            try TestCertificates.authority(in: directory, name: "ca", commonName: "Keyward Test Mail CA")
            try TestCertificates.authority(in: directory, name: "other-ca", commonName: "Someone Else's CA")
            try TestCertificates.server(
                in: directory, name: "server", subjectAltName: "DNS:localhost,IP:127.0.0.1", signedBy: "ca")
            try script.write(toFile: directory + "/sink.py", atomically: true, encoding: .utf8)
            return try FreePort.retrying {
                let sink = SMTPSink(directory: directory, port: try nextPort(), mode: mode, process: Process())
                try sink.launch()
                return sink
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops the sink (SIGTERM to its PID, then waits) and removes its folder.
    public func stop() {
        pause()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server but keeps its folder and port: the mail server is
    /// down until ``resume()``.
    public func pause() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    /// Starts the server again on the same port, with the same certificates.
    public func resume() throws {
        try launch()
    }

    private func launch() throws {
        let ready = directory + "/ready"
        try? FileManager.default.removeItem(atPath: ready)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            directory + "/sink.py", String(port), logPath, Self.username, Self.password,
            directory + "/server.pem", directory + "/server-key.pem", mode.rawValue, ready,
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let errors = directory + "/sink.log"
        if !FileManager.default.fileExists(atPath: errors) {
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
        }
        let errorHandle = FileHandle(forWritingAtPath: errors)
        errorHandle?.seekToEndOfFile()
        process.standardError = errorHandle
        try process.run()
        self.process = process
        for _ in 0..<500 where process.isRunning {
            if FileManager.default.fileExists(atPath: ready) { return }
            usleep(20_000)
        }
        let log = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        pause()
        try? FileManager.default.removeItem(atPath: errors)
        throw SMTPSinkError("aiosmtpd did not start on port \(port) (is python3-aiosmtpd installed?):\n\(log)")
    }

    /// Every JSON line logged so far.
    public func records() throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// Every message delivered so far, in order.
    public func deliveries() throws -> [SMTPDelivery] {
        try records().filter { $0["event"] as? String == "data" }.map(SMTPDelivery.init)
    }

    /// The delivered message with `messageID` (without angle brackets), if any.
    public func delivered(_ messageID: String) throws -> SMTPDelivery? {
        try records().first { $0["event"] as? String == "data" && $0["message_id"] as? String == "<\(messageID)>" }
            .map(SMTPDelivery.init)
    }

    /// The whole log and the sink's stderr, as text (for canary scans).
    public func allOutput() -> String {
        ["/messages.jsonl", "/sink.log"].compactMap { try? String(contentsOfFile: directory + $0, encoding: .utf8) }
            .joined(separator: "\n")
    }
}

/// One message as the sink received and Python's `email` package read it.
public struct SMTPDelivery: @unchecked Sendable {
    /// The JSON line.
    public let record: [String: Any]

    /// The envelope sender (`MAIL FROM`).
    public var sender: String? { record["from"] as? String }
    /// The envelope recipients (`RCPT TO`).
    public var recipients: [String] { record["rcpts"] as? [String] ?? [] }
    /// The AUTH login used.
    public var login: String? { record["login"] as? String }
    /// Whether the session was encrypted.
    public var tls: Bool { record["tls"] as? Bool ?? false }
    /// The raw message as it came over the wire (after un-dot-stuffing).
    public var raw: String { record["data"] as? String ?? "" }
    /// The decoded subject.
    public var subject: String { record["subject"] as? String ?? "" }
    /// The decoded `To` header.
    public var to: String { record["to"] as? String ?? "" }
    /// The `Message-ID` header, with its angle brackets.
    public var messageID: String { record["message_id"] as? String ?? "" }
    /// The text part, decoded, with LF line ends.
    public var text: String { (record["text"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n") }
    /// The HTML part, decoded, with LF line ends.
    public var html: String { (record["html"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n") }
    /// What Python's `email` package found wrong.
    public var defects: [String] { record["defects"] as? [String] ?? [] }
}

/// The sink could not start or read its log.
public struct SMTPSinkError: Error, CustomStringConvertible {
    public let description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
