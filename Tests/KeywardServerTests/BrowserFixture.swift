import Foundation
import KeywardTestSupport

/// A live server (``PageFixture``) and a headless Chromium driven through
/// chromedriver (``ChromeDriver``, ``WebDriverSession``): the browser tests
/// open its pages, type, click and read what a person would see.
final class BrowserFixture: @unchecked Sendable {
    let pages: PageFixture
    let driver: ChromeDriver
    let browser: WebDriverSession

    /// Starts the server (with mail when `mail`), chromedriver and a browser.
    static func start(mail: Bool = false) async throws -> BrowserFixture {
        let pages = try await PageFixture.start(mail: mail)
        let driver: ChromeDriver
        do {
            driver = try await ChromeDriver.start()
        } catch {
            await pages.stop()
            throw error
        }
        do {
            return BrowserFixture(pages: pages, driver: driver, browser: try await WebDriverSession.open(on: driver))
        } catch {
            driver.stop()
            await pages.stop()
            throw error
        }
    }

    /// Runs `body` on a started fixture and stops it afterwards, also when
    /// `body` throws.
    static func with(mail: Bool = false, _ body: (BrowserFixture) async throws -> Void) async throws {
        try await PageFixture.using(try await start(mail: mail), stop: { await $0.stop() }, body)
    }

    private init(pages: PageFixture, driver: ChromeDriver, browser: WebDriverSession) {
        self.pages = pages
        self.driver = driver
        self.browser = browser
    }

    /// Quits the browser, stops chromedriver (by its PID) and the server.
    func stop() async {
        await browser.close()
        driver.stop()
        await pages.stop()
    }

    /// Opens `path` of the server.
    func open(_ path: String) async throws {
        try await browser.open(pages.server.baseURL + path)
    }

    /// Types `text` into the field `id`.
    func fill(_ id: String, _ text: String) async throws {
        try await browser.type(text, into: try await browser.element("#\(id)"))
    }

    /// Clicks the submit button of the main form, while the queue's workers
    /// run (the next page waits for the operations).
    func submit(_ selector: String = "main form button[type=submit]") async throws {
        let browser = browser
        let button = try await browser.element(selector)
        // Mark the page, so the next one is known by the mark's absence:
        // chromedriver's click does not always wait for the navigation.
        try await browser.execute("window.keywardPreviousPage = true")
        try await pages.whileWorking {
            try await browser.click(button)
            for _ in 0..<600 {
                let loaded = try await browser.execute(
                    "return window.keywardPreviousPage === undefined && document.readyState === 'complete'")
                if loaded as? Bool == true { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw WebDriverError(code: "timeout", message: "no new page 30 seconds after clicking \(selector)")
        }
    }

    /// The page's first heading.
    func heading() async throws -> String {
        try await browser.text(of: try await browser.element("h1"))
    }

    /// The text of the page's main part.
    func mainText() async throws -> String {
        try await browser.text(of: try await browser.element("main"))
    }
}
