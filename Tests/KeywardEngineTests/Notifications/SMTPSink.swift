import Foundation
import KeywardTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway aiosmtpd (Debian's python3-aiosmtpd, run by `/usr/bin/python3`)
/// on 127.0.0.1 and a free port, with a certificate from a throwaway CA, for
/// the mailer tests. Stopped by PID (SIGTERM, then waited for).
final class SMTPSink: @unchecked Sendable {
    /// How the sink speaks TLS.
    enum Mode: String {
        /// STARTTLS and AUTH required (smtp://).
        case starttls
        /// TLS from the first byte, AUTH required (smtps://).
        case smtps
        /// No TLS at all: a server without STARTTLS.
        case plain
    }

    static let username = "keyward"
    static let password = "Sink#Login-42"

    let directory: String
    let port: Int
    let mode: Mode
    private let process: Process

    /// The CA that signed the sink's certificate (give it as `caCertificate`).
    var caPath: String { directory + "/ca.pem" }
    /// A CA that signed nothing the sink presents.
    var otherCAPath: String { directory + "/other-ca.pem" }
    /// `smtp://127.0.0.1:PORT` or `smtps://…`.
    var url: String { "\(mode == .smtps ? "smtps" : "smtp")://127.0.0.1:\(port)" }
    private var logPath: String { directory + "/messages.jsonl" }

    private init(directory: String, port: Int, mode: Mode, process: Process) {
        self.directory = directory
        self.port = port
        self.mode = mode
        self.process = process
    }

    /// Makes the certificates, writes the script and starts the sink; returns once it accepts connections.
    static func start(_ mode: Mode = .starttls) throws -> SMTPSink {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-smtp-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TestCertificates.authority(in: directory, name: "ca", commonName: "Keyward Test Mail CA")
        try TestCertificates.authority(in: directory, name: "other-ca", commonName: "Someone Else's CA")
        try TestCertificates.server(
            in: directory, name: "server", subjectAltName: "DNS:localhost,IP:127.0.0.1", signedBy: "ca")
        try script.write(toFile: directory + "/sink.py", atomically: true, encoding: .utf8)
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            directory + "/sink.py", String(port), directory + "/messages.jsonl", username, password,
            directory + "/server.pem", directory + "/server-key.pem", mode.rawValue, directory + "/ready",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let errors = directory + "/sink.log"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errors)
        try process.run()
        let sink = SMTPSink(directory: directory, port: port, mode: mode, process: process)
        for _ in 0..<500 where process.isRunning {
            if FileManager.default.fileExists(atPath: directory + "/ready") { return sink }
            usleep(20_000)
        }
        let log = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        sink.stop()
        throw MailTestError("aiosmtpd did not start (is python3-aiosmtpd installed?):\n\(log)")
    }

    /// Stops the sink (SIGTERM to its PID, then waits) and removes its folder.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Every JSON line logged so far.
    func records() throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// The delivered message with `messageID` (without angle brackets), if any.
    func delivered(_ messageID: String) throws -> Delivery? {
        try records().first { $0["event"] as? String == "data" && $0["message_id"] as? String == "<\(messageID)>" }
            .map(Delivery.init)
    }

    /// The whole log and the sink's stderr, as text (for canary scans).
    func allOutput() -> String {
        ["/messages.jsonl", "/sink.log"].compactMap { try? String(contentsOfFile: directory + $0, encoding: .utf8) }
            .joined(separator: "\n")
    }

    /// A TCP port nothing listens on now.
    static func freePort() throws -> Int {
        try SilentListener(listening: false).port
    }
}

/// One message as the sink received and Python's `email` package read it.
struct Delivery {
    let record: [String: Any]

    var sender: String? { record["from"] as? String }
    var recipients: [String] { record["rcpts"] as? [String] ?? [] }
    var login: String? { record["login"] as? String }
    var tls: Bool { record["tls"] as? Bool ?? false }
    /// The raw message as it came over the wire (after un-dot-stuffing).
    var raw: String { record["data"] as? String ?? "" }
    var subject: String { record["subject"] as? String ?? "" }
    var to: String { record["to"] as? String ?? "" }
    /// The text part, decoded, with LF line ends.
    var text: String { (record["text"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n") }
    /// The HTML part, decoded, with LF line ends.
    var html: String { (record["html"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n") }
    var defects: [String] { record["defects"] as? [String] ?? [] }
}
