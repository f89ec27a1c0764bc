import Foundation
import KeywardEngine

extension QueueBench {
    /// Measures and prints figure (e) with its goal.
    static func report(_ options: BenchOptions) {
        let (accounts, workers, roundCount) = (options.queueAccounts, options.queueWorkers, options.queueRounds)
        print("(e) password resets: engine vs baseline, \(accounts) accounts, \(workers) workers, \(roundCount) rounds")
        print("    engine   = resetPassword with a chosen password (plan: policy, Lua \(script); enqueue: AES-GCM")
        print("               seal, audit) + Executor.drain (claim, open, hash + UPDATE through the sql")
        print("               connector, finish, secrets deleted, audit); timed from first request to drained")
        print("    baseline = the same hash + `\(update)`, one per")
        print("               transaction, straight through GRDB, on as many workers")
        print("    a round:   per storage, slices engine, baseline, baseline, engine (odd rounds the reverse)")

        let folder = NSTemporaryDirectory() + "keyward-queue-bench-\(getpid())"
        // A folder left by a killed run with the same pid would hold a table already.
        try? FileManager.default.removeItem(atPath: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let measured: (rounds: [[Sample]], changes: [Int], setup: UInt64, batchSize: Int)
        do {
            measured = try Blocking.wait {
                let fixture = try await makeFixture(in: folder, accounts: accounts, workers: workers)
                var bench = QueueBench(fixture: fixture, workers: workers)
                try await bench.calibrate()
                var rounds: [[Sample]] = []
                for number in 0..<roundCount {
                    rounds.append(try await bench.round(number))
                }
                return (rounds, bench.changes, fixture.setupNanoseconds, fixture.engines[0].executor.batchSize)
            }
        } catch {
            print("    not measured: \(error)")
            print("    goal ≥ 0.50: MISS (not measured)")
            return
        }
        print(
            "    setup:     \(accounts) accounts created through the engine in "
                + String(format: "%.2f s", Double(measured.setup) / 1e9) + " (not timed)")
        print("")
        printFigures(measured.rounds, changes: measured.changes, batchSize: measured.batchSize)
    }

    /// The table of resets per second, where the engine's time goes, and the rounds.
    private static func printFigures(_ rounds: [[Sample]], changes: [Int], batchSize: Int) {
        let columns = [26, 8, 11, 11, 8, 14, 13]
        print(Report.row(["storage", "resets", "engine", "baseline", "ratio", "spread", "goal ≥ 0.50"], columns))
        for (index, storage) in storages.enumerated() {
            let samples = rounds.map { $0[index] }
            let ratios = samples.map(\.ratio)
            print(
                Report.row(
                    [
                        "    \(storage.hashing)", "\(changes[index])",
                        perSecond(samples.map(\.engine.changesPerSecond).median),
                        perSecond(samples.map(\.baseline.changesPerSecond).median), Report.ratio(ratios.median),
                        String(format: "%.2f–%.2f×", ratios.min() ?? 0, ratios.max() ?? 0),
                        Report.verdict(ratios.median >= 0.5),
                    ], columns))
        }
        let maxima = storages.map { "\($0.maximumChanges)" }.joined(separator: " / ")
        print("    resets per side per round: at most \(maxima), fewer where a slow disk would make the")
        print("    engine's side pass \(secondsPerSide) s; per second: medians of rounds; ratio = engine / baseline,")
        print("    the median of per-round ratios; spread = the lowest and highest round")
        print("")

        let split = [26, 8, 10, 10, 10, 10, 12]
        print(
            Report.row(
                ["ms per reset (medians)", "plan", "requests", "drain", "engine", "baseline", "difference"], split))
        for (index, storage) in storages.enumerated() {
            let samples = rounds.map { $0[index] }
            func perReset(_ side: KeyPath<Sample, Timing>, _ part: KeyPath<Timing, UInt64>) -> Double {
                samples.map { sample in
                    let timing = sample[keyPath: side]
                    return Double(timing[keyPath: part]) / 1e6 / Double(timing.changes)
                }.median
            }
            let engine = perReset(\.engine, \.total)
            let baseline = perReset(\.baseline, \.total)
            print(
                Report.row(
                    [
                        "    \(storage.hashing)", milliseconds(perReset(\.engine, \.planning)),
                        milliseconds(perReset(\.engine, \.requests)),
                        milliseconds(perReset(\.engine, \.execution)), milliseconds(engine),
                        milliseconds(baseline), String(format: "%+.3f", engine - baseline),
                    ], split))
        }
        print("    plan = the planner alone (policy, Lua), timed apart; requests = plan + store reads + enqueue,")
        print("    one request at a time; drain = claim to finish on the workers; engine = requests + drain.")
        print("    Wall time divided by resets: with parallel workers a reset's drain share is below its hash.")
        print("    Commits per reset: engine 3 (enqueue, connector UPDATE, finish) + 1 claim per batch of")
        print("    \(batchSize) operations; baseline 1.")
        print("")
        for (index, storage) in storages.enumerated() {
            let label = index == 0 ? "    per round  ratio" : "               ratio"
            print("\(label) \(storage.hashing)".padding(toLength: 44, withPad: " ", startingAt: 0)
                + Report.series(rounds.map { $0[index].ratio }))
        }
    }

    private static func perSecond(_ value: Double) -> String {
        String(format: value < 100 ? "%.1f /s" : "%.0f /s", value)
    }

    private static func milliseconds(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}
