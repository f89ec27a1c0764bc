import Foundation
import Hummingbird
import KeywardCore
import KeywardEngine
import KeywardStore

/// How the pages word things: messages as sentences, times in UTC, the
/// policy hint, and the HTTP status of a refusal.
extension PageRoutes {
    /// `message` with a capital first letter and a final full stop.
    static func sentence(_ message: String) -> String {
        guard let first = message.first else { return message }
        let capitalized = first.uppercased() + message.dropFirst()
        return capitalized.hasSuffix(".") || capitalized.hasSuffix("?") ? capitalized : capitalized + "."
    }

    /// `2 December 2026, 18:35 UTC`.
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy, HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    /// `1 hour`, `8 hours`, `30 minutes`.
    static func span(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        if seconds >= 3600, seconds % 3600 == 0 { return "\(seconds / 3600) hour\(seconds == 3600 ? "" : "s")" }
        let minutes = max(1, seconds / 60)
        return "\(minutes) minute\(minutes == 1 ? "" : "s")"
    }

    /// The shortest length the policies of `systems` allow, as a hint
    /// beside the new-password field (nil when no policy says).
    func hint(systems: [String]) -> String? {
        let planner = dependencies.desk.passwords.provisioning.planner
        let definitions = dependencies.systems.filter { systems.contains($0.name) }.map(\.definition)
        let names = Set(planner.catalog.defaultValidate + definitions.flatMap(\.validatePolicies))
        let longest = names.compactMap { planner.catalog.policies[$0]?.minLength }.max()
        return longest.map { "At least \($0) characters. A long phrase of unrelated words is easiest to remember." }
    }

    /// The status of a page refusing a desk request.
    static func status(of error: ServiceError) -> HTTPResponse.Status {
        switch error.kind {
        case .unknownUser, .unknownSystem: .notFound
        case .unsupported, .account, .notification: .conflict
        case .planning: .unprocessableContent
        case .link: .gone
        case .store: .serviceUnavailable
        }
    }

    /// A system's name as an HTML id (letters, digits, `-`).
    static func identifier(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
