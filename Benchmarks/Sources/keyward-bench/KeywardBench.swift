import Foundation
import KeywardScripting

/// keyward-bench: Keyward's transformation path against a bare Lua loop, and
/// password resets through the engine against direct UPDATEs and against bare
/// libldap calls to slapd, in one process and one run, each figure beside its
/// baseline (STYLE.md rule 11).
/// Only ratios from the same run mean anything on a shared machine.
@main
enum KeywardBench {
    static func main() {
        let options = BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
        let keyward = KeywardPath()
        if let (side, calls) = options.profile {
            switch side {
            case .keyward: keyward.run(calls)
            case .bare: BareLoop().run(calls)
            }
            print("profile run: \(calls) \(side) calls on the main thread")
            return
        }

        print(
            "keyward-bench — \(ScriptEngine.luaRelease), \(ProcessInfo.processInfo.activeProcessorCount) processors, "
                + "load \(Report.loadAverage)")
        print("")
        if options.sections.contains(.transform) {
            transformFigures(keyward, options)
        }
        if options.sections.contains(.cold) {
            ColdStart.report(options)
            print("")
        }
        if options.sections.contains(.queue) {
            QueueBench.report(options)
            print("")
        }
        if options.sections.contains(.directory) {
            DirectoryBench.report(options)
            print("")
        }
        if options.sections.contains(.api) {
            ApiLoad.report(options)
            print("")
        }
        if options.sections.contains(.scale) {
            ScaleBench.report(options)
            print("")
        }
        print("load at the end: \(Report.loadAverage)")
    }

    /// Figures (a), (b) and (c), with what they measure.
    private static func transformFigures(_ keyward: KeywardPath, _ options: BenchOptions) {
        print("chunk:   \(Workload.chunk)")
        print("input:   \(Workload.input.utf8.count)-byte GuardedString; context: system, attribute, operation, uid")
        print("method:  \(options.rounds) rounds × \(options.secondsPerFigure) s per figure, each cut into slices that")
        print("         alternate Keyward and baseline; medians of rounds, ratios are medians of per-round ratios.")
        print("         Keyward = engine.transform (checked script, production limits, GuardedString in and out);")
        print("         bare = the same chunk through the plain Lua C API, no sandbox.")
        print("")

        var bench = InProcessBench(keyward: keyward, options: options)
        bench.calibrate()
        let rounds = (0..<options.rounds).map { bench.round($0) }
        bench.report(rounds)
        print("")
    }
}
