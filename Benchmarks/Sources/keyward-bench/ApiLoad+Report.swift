import Foundation
import KeywardStore

extension ApiLoad {
    /// The figure, its checks and its ratios.
    func print(_ outcome: Outcome) {
        Swift.print("(g) password changes through the JSON API on loopback, against the same changes through PasswordDesk")
        Swift.print("    \(clients) concurrent clients × \(Self.seconds(seconds)) per side, each changing its own account, at most")
        Swift.print("    \(window) of its changes unfinished (it waits, untimed, for the oldest to end: the workers set the pace);")
        Swift.print("    executor (\(workers) workers) draining to the sql connector (PBKDF2-SHA256, 1,000 iterations) meanwhile.")
        Swift.print("    API = HTTP/1.1 over 127.0.0.1 (AsyncHTTPClient, keep-alive), bearer token, JSON body, the desk;")
        Swift.print("    desk = PasswordDesk.change called directly (no HTTP, no token, no JSON).")
        Swift.print("")
        let widths = [22, 10, 12, 11, 11, 8]
        Swift.print(Report.row(["", "requests", "requests/s", "p50", "p99", "errors"], widths))
        for (name, side) in [("desk (baseline)", outcome.desk), ("API", outcome.api)] {
            Swift.print(
                Report.row(
                    [
                        name, "\(side.requests)", String(format: "%.1f", side.perSecond),
                        Report.ms(side.latencies.percentile(50)), Report.ms(side.latencies.percentile(99)),
                        "\(side.errorCount)",
                    ], widths))
        }
        let (api, desk) = (outcome.api, outcome.desk)
        Swift.print(
            Report.row(
                [
                    "API / desk", "", Report.ratio(api.perSecond / desk.perSecond),
                    Report.ratio(api.latencies.percentile(50) / desk.latencies.percentile(50)),
                    Report.ratio(api.latencies.percentile(99) / desk.latencies.percentile(99)), "",
                ], widths))
        Swift.print("")
        let queued = api.queued + desk.queued
        let executed = outcome.states[.executed] ?? 0
        let created = outcome.accounts
        let others = outcome.states.filter { $0.key != .executed }.map { "\($0.key.rawValue) \($0.value)" }.sorted()
            .filter { !$0.hasSuffix(" 0") }
        Swift.print("    operations: \(queued) queued by the changes (+\(created) account creations in the setup);")
        Swift.print(
            "    after the drain \(executed - created) executed, \(others.isEmpty ? "no other state" : others.joined(separator: ", "));"
                + " backlog when the clients stopped: desk \(outcome.backlogs.desk), API \(outcome.backlogs.api)")
        let lost = queued - (executed - created)
        Swift.print("    lost operations: \(lost)   \(Report.verdict(lost == 0 && others.isEmpty))")
        let errors = api.errorCount + desk.errorCount
        let reasons = (api.errors.merging(desk.errors, uniquingKeysWith: +)).map { "\($0.key) ×\($0.value)" }.sorted()
        Swift.print("    errors: \(errors)\(reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")   \(Report.verdict(errors == 0))")
        Swift.print(
            "    rows holding their last password: \(outcome.accounts - outcome.wrongRows)/\(outcome.accounts)   \(Report.verdict(outcome.wrongRows == 0))"
        )
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
