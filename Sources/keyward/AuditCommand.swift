import ArgumentParser
import Foundation
import KeywardStore

/// `keyward audit`: who asked what, for which account, and how it ended.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log of password operations, newest first.",
        discussion: """
            Every request (and refusal), every attempt's outcome, every retry and cancel: who, what, \
            which account, outcome, when. Never a password.

            Examples:
              keyward audit
              keyward audit --user jdoe --since 24h
              keyward audit --since 2026-11-01 --json
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: ArgumentHelp("Only this person's.", valueName: "username"))
    var user: String?
    @Option(help: ArgumentHelp("Only entries since: a date (2026-11-01), a time (2026-11-01T09:00:00Z), or an age (30m, 24h, 7d).", valueName: "when"))
    var since: String?
    @Option(help: ArgumentHelp("At most this many.", valueName: "n"))
    var limit = 1000
    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let start = try since.map(Self.parseSince)
        let store = try await QueueCommand.openStore(options)
        let entries = try await store.audit(AuditFilter(username: user, since: start, limit: limit))
        let time = ISO8601DateFormatter()
        for entry in entries {
            if json {
                var object: [String: Any] = [
                    "id": entry.id, "at": time.string(from: entry.at), "actor": entry.actor, "action": entry.action,
                    "username": entry.username, "outcome": entry.outcome, "message": entry.message,
                ]
                if let system = entry.system { object["system"] = system }
                if let uid = entry.uid { object["uid"] = uid }
                if let operationID = entry.operationID { object["operation"] = operationID }
                Console.out(JSONText.encode(object))
            } else {
                let target = [entry.system, entry.uid].compactMap { $0 }.joined(separator: "/")
                let operation = entry.operationID.map { " #\($0)" } ?? ""
                Console.out(
                    "\(time.string(from: entry.at)) \(entry.actor) \(entry.action) \(entry.username)"
                        + "\(target.isEmpty ? "" : " on \(target)")\(operation): \(entry.outcome)"
                        + "\(entry.message.isEmpty ? "" : " (\(entry.message))")")
            }
        }
        if entries.isEmpty && !json { Console.out("no audit entries") }
    }

    /// `2026-11-01`, an ISO 8601 time, or an age such as `24h`.
    static func parseSince(_ text: String) throws(CommandError) -> Date {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        if let unit = text.last, let factor = units[unit], let count = Double(text.dropLast()), count >= 0 {
            return Date().addingTimeInterval(-count * factor)
        }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw CommandError("--since '\(text)' is not a date (2026-11-01), a time (2026-11-01T09:00:00Z) or an age (30m, 24h, 7d)")
    }
}
