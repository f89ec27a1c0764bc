import Foundation
public import KeywardConnectors
import KeywardCore
import Logging

/// `keyward plugin test`: runs a plugin through every part of the protocol
/// it declares, on throwaway accounts, the way ConnId's contract tests run
/// a connector: the hello, each declared operation (with the error shapes
/// `not-found` and `already-exists`), a change with the right and with a
/// wrong current password, an unknown operation, and secret handling — the
/// canary passwords must appear in no answer and not on stderr (only
/// whether they did is reported, never the text) — and finally a clean
/// exit when stdin closes.
public struct ConformanceSuite: Sendable {
    /// How the plugin starts.
    public let launch: PluginLaunch
    /// The throwaway account's uid.
    let uid: String
    /// A uid no plugin has.
    let ghost: String
    /// The marker every canary password holds (the stderr watch looks for it).
    let marker: String

    /// The program's file name, for messages.
    var subject: String { String(launch.executable.split(separator: "/").last ?? "plugin") }

    /// Prepares a run of `command` (a program relative to the current
    /// folder or on `PATH`, and its arguments).
    /// - Throws: ``ConnectorError/Kind/configuration`` when there is no
    ///   command or its program cannot be found.
    public init(command: [String], timeout: Duration) throws(ConnectorError) {
        guard let program = command.first else {
            throw ConnectorError(.configuration, "give the plugin's command after --, e.g. -- ./my-plugin --flag")
        }
        let environment = PluginLaunch.inheritedEnvironment()
        let path = environment.first { $0.name == "PATH" }.flatMap { entry -> String? in
            if case .plain(let text) = entry.value { text } else { nil }
        }
        let executable: String
        do {
            executable = try ProgramPath.resolve(program, relativeTo: "", searchPath: path)
        } catch {
            throw ConnectorError(.configuration, "the command \(error.message)")
        }
        let token = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        marker = "KwCanary\(token)"
        uid = "kw-conformance-\(token.prefix(8))"
        ghost = "kw-conformance-absent-\(token.suffix(4))"
        launch = PluginLaunch(
            executable: executable, arguments: Array(command.dropFirst()), environment: environment, timeout: timeout,
            system: "plugin-test", stderrWatch: StderrWatch(marker: marker))
    }

    /// The canary password `number`: the marker, a quote, a backslash and
    /// non-ASCII letters, so that the plugin's JSON decoding is tested too.
    func canary(_ number: Int) -> GuardedString {
        GuardedString("\(marker)-\(number)-Qu\"o\\te-ünï€")
    }

    /// Runs every check, giving each to `report` as it ends.
    /// - Returns: every check, in order.
    @discardableResult
    public func run(report: @escaping @Sendable (ConformanceCheck) -> Void = { _ in }) async -> [ConformanceCheck] {
        let run = ConformanceRun(suite: self, report: report)
        await run.all()
        return run.checks
    }
}
