import Foundation
import KeywardCore

/// A remote service's words (an error message, a request id), made fit for
/// a ``KeywardConnectors/ConnectorError`` message, a log line and the audit.
enum RemoteText {
    /// The longest text kept, in characters.
    static let limit = 300

    /// What stands in for a text that quoted a secret.
    static let withheld = "(the service's message is withheld: it quoted a secret Keyward sent)"

    /// `text` with control characters replaced by spaces and cut at
    /// ``limit`` characters; ``withheld`` when it holds the bytes of one of
    /// `secrets` (a service that echoes a rejected value must not put it in
    /// Keyward's audit).
    static func sanitized(_ text: String, withholding secrets: [GuardedString] = []) -> String {
        if secrets.contains(where: { contains(text, $0) }) { return withheld }
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? " " : scalar
        }))
        let trimmed = cleaned.trimmingCharacters(in: .whitespaces)
        return trimmed.count > limit ? String(trimmed.prefix(limit)) + "…" : trimmed
    }

    /// Whether the UTF-8 of `text` contains the bytes of `secret`.
    static func contains(_ text: String, _ secret: GuardedString) -> Bool {
        guard !secret.isEmpty else { return false }
        var copy = text
        return copy.withUTF8 { haystack in
            secret.withUnsafeBytes { needle in
                guard needle.count <= haystack.count else { return false }
                for start in 0...(haystack.count - needle.count) {
                    let window = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(haystack)[start..<start + needle.count])
                    if SecureMemory.constantTimeEquals(window, needle) { return true }
                }
                return false
            }
        }
    }

    /// An identifier a service sent (an error code, a request id): kept when
    /// it is made of letters, digits and `-_.:`, at most 100 of them; nil otherwise.
    static func identifier(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text.count <= 100,
            text.unicodeScalars.allSatisfy({ $0.isASCIIAlphanumeric(or: "-_.:") })
        else { return nil }
        return text
    }
}
