public import Foundation

/// One headless Chromium driven over W3C WebDriver: open pages, find
/// elements by CSS selector, type, click, run a script, take screenshots.
/// ``close()`` ends the browser and removes its profile folder.
public final class WebDriverSession: @unchecked Sendable {
    /// The W3C key of an element reference.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// The session's id.
    public let id: String
    private let transport: WebDriverTransport
    private let profile: URL

    /// Opens a session on `driver`: Chromium headless, no sandbox (tests run
    /// as root), a fresh profile in a temporary folder, a window of
    /// `width`×`height`.
    public static func open(on driver: ChromeDriver, width: Int = 1100, height: Int = 900) async throws -> WebDriverSession {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let options: [String: Any] = [
            "binary": ChromeDriver.browser,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--password-store=basic",
            ],
        ]
        let capabilities: [String: Any] = [
            "capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]
        ]
        let value = try await driver.transport.send("POST", "/session", capabilities) as? [String: Any]
        guard let id = value?["sessionId"] as? String else {
            throw WebDriverError(code: "start", message: "chromedriver gave no session id; see \(driver.logPath)")
        }
        return WebDriverSession(id: id, transport: driver.transport, profile: profile)
    }

    private init(id: String, transport: WebDriverTransport, profile: URL) {
        self.id = id
        self.transport = transport
        self.profile = profile
    }

    /// Ends the session (the browser quits) and removes the profile.
    public func close() async {
        _ = try? await command("DELETE", "")
        try? FileManager.default.removeItem(at: profile)
    }

    // MARK: Pages

    /// Opens `url` and waits until it has loaded.
    public func open(_ url: String) async throws {
        _ = try await command("POST", "/url", ["url": url])
    }

    /// The address of the page shown.
    public func currentURL() async throws -> String {
        try await command("GET", "/url") as? String ?? ""
    }

    /// The page's title.
    public func title() async throws -> String {
        try await command("GET", "/title") as? String ?? ""
    }

    /// The page's HTML as the browser holds it now.
    public func source() async throws -> String {
        try await command("GET", "/source") as? String ?? ""
    }

    /// The page as a PNG.
    public func screenshot() async throws -> Data {
        guard let base64 = try await command("GET", "/screenshot") as? String, let png = Data(base64Encoded: base64) else {
            throw WebDriverError(code: "screenshot", message: "the screenshot was not base64 PNG data")
        }
        return png
    }

    /// Runs `script` (a function body; `arguments[0]`… are `arguments`) in the page.
    @discardableResult
    public func execute(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await command("POST", "/execute/sync", ["script": script, "args": arguments])
    }

    // MARK: Elements

    /// The first element matching `selector`; `no such element` when none.
    public func element(_ selector: String) async throws -> WebElement {
        let value = try await command("POST", "/element", ["using": "css selector", "value": selector])
        return try element(from: value, selector: selector)
    }

    /// Every element matching `selector`.
    public func elements(_ selector: String) async throws -> [WebElement] {
        let values = try await command("POST", "/elements", ["using": "css selector", "value": selector]) as? [Any] ?? []
        return try values.map { try element(from: $0, selector: selector) }
    }

    /// Types `text` into the element.
    public func type(_ text: String, into element: WebElement) async throws {
        _ = try await command("POST", "/element/\(element.id)/value", ["text": text])
    }

    /// Clicks the element (a submit button: the browser posts the form and
    /// the command returns once the next page has loaded).
    public func click(_ element: WebElement) async throws {
        _ = try await command("POST", "/element/\(element.id)/click")
    }

    /// The element's visible text.
    public func text(of element: WebElement) async throws -> String {
        try await command("GET", "/element/\(element.id)/text") as? String ?? ""
    }

    /// The element's attribute `name`, nil when it has none.
    public func attribute(_ name: String, of element: WebElement) async throws -> String? {
        try await command("GET", "/element/\(element.id)/attribute/\(name)") as? String
    }

    private func element(from value: Any?, selector: String) throws -> WebElement {
        guard let reference = (value as? [String: Any])?[Self.elementKey] as? String else {
            throw WebDriverError(code: "no such element", message: "no element for \(selector)")
        }
        return WebElement(id: reference)
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await transport.send(method, "/session/\(id)\(path)", body)
    }
}

/// An element of the page a ``WebDriverSession`` shows.
public struct WebElement: Sendable, Hashable {
    /// The driver's reference.
    public let id: String
}
