import Foundation

/// The `Retry-After` header (RFC 9110, section 10.2.3): a number of seconds,
/// or an HTTP-date to wait until.
enum RetryAfter {
    /// The longest wait honoured: a day. A server asking for more gets a day;
    /// the operation's retry policy still applies after it.
    static let longest: Duration = .seconds(86_400)

    /// The wait `value` asks for, counted from `now`; nil when the header
    /// is absent or unreadable. A date in the past is no wait.
    static func parse(_ value: String?, now: Date) -> Duration? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCIIDigit) {
            guard let seconds = Int(text) else { return longest }
            return min(.seconds(seconds), longest)
        }
        guard let date = httpDate(text) else { return nil }
        let seconds = date.timeIntervalSince(now)
        guard seconds > 0 else { return .zero }
        return min(.milliseconds(Int64((seconds * 1000).rounded(.up))), longest)
    }

    /// An HTTP-date in any of its three forms: IMF-fixdate
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) { return date }
        }
        return nil
    }
}

extension Character {
    /// `0` to `9`, nothing else (not other scripts' digits).
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
