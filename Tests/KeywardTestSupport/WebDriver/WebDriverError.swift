/// A WebDriver command that failed: the W3C error code (`no such element`,
/// `invalid argument`, …) and chromedriver's message, or a transport problem.
public struct WebDriverError: Error, CustomStringConvertible {
    /// The W3C error code, or `transport` / `start` for problems before an answer.
    public let code: String
    /// What went wrong.
    public let message: String

    /// Creates an error.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "WebDriver \(code): \(message)" }
}
