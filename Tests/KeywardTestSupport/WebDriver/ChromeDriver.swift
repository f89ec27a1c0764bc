import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `chromedriver` process on a free port of 127.0.0.1, started by a test
/// and stopped by its PID. Sessions it opens run Debian's Chromium headless
/// (``WebDriverSession``).
public final class ChromeDriver: @unchecked Sendable {
    /// Where Debian installs the driver.
    public static let executable = "/usr/bin/chromedriver"
    /// Where Debian installs the browser.
    public static let browser = "/usr/bin/chromium"

    /// The port it listens on.
    public let port: Int
    /// Its process id.
    public var pid: Int32 { process.processIdentifier }
    let transport: WebDriverTransport
    private let process: Process
    /// The driver's log (`--log-path`), for a failing test's message.
    public let logPath: String

    /// Starts chromedriver and waits until it reports ready.
    public static func start() async throws -> ChromeDriver {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw WebDriverError(code: "start", message: "\(executable) is missing: install Debian's chromium-driver (make deps)")
        }
        let port = try FreePort.next()
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("chromedriver-\(port).log").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1", "--log-path=\(logPath)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let driver = ChromeDriver(port: port, process: process, logPath: logPath)
        for _ in 0..<200 {
            if let status = try? await driver.transport.send("GET", "/status") as? [String: Any], status["ready"] as? Bool == true {
                return driver
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        driver.stop()
        throw WebDriverError(code: "start", message: "chromedriver on port \(port) did not become ready; see \(logPath)")
    }

    private init(port: Int, process: Process, logPath: String) {
        self.port = port
        self.process = process
        self.logPath = logPath
        transport = WebDriverTransport(port: port)
    }

    /// Stops the driver (SIGKILL to its PID: chromedriver ignores SIGTERM)
    /// and waits for it to exit. Delete the sessions first: that closes
    /// their browsers.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        stop()
    }
}
