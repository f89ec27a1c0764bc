import Foundation

extension ScaleBench {
    /// Measures and prints figure (h).
    static func report(_ options: BenchOptions) {
        print("(h) queued password operations drained to the sql connector, by worker processes")
        guard let keyward = options.keywardPath else {
            print("    skipped: no release keyward binary (build it with `swift build -c release --product keyward`)")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: Postgres.binaries + "/postgres") else {
            print("    skipped: PostgreSQL 15 is not installed (`make setup` installs postgresql-15)")
            return
        }
        let postgres: Postgres
        do {
            postgres = try Postgres(settings: options.scalePostgresSettings)
        } catch {
            print("    failed: \(error)")
            return
        }
        defer { postgres.stop() }
        let bench = ScaleBench(keyward: keyward, postgres: postgres, operations: options.scaleOperations, workers: options.scaleWorkers)
        print("    each run: \(bench.operations) creates queued (not timed), then `keyward run --drain --workers \(bench.workers)`")
        print("              in 1, 2 or 4 processes at once, timed until the last exits (start-up included);")
        print("              target: a PostgreSQL table (pbkdf2-sha256, 1,000 iterations) in its own database")
        print("    store:     sqlite = one file (1 process); postgresql = PostgreSQL 15 on 127.0.0.1:\(postgres.port),")
        print("              fsync on, no TLS; one server for store and target, on this machine")
        if !options.scalePostgresSettings.isEmpty {
            print("    server settings: \(options.scalePostgresSettings.joined(separator: ", ")) (not the defaults)")
        }
        print("    rounds:    \(options.scaleRounds), the setups in a rotating order; medians")
        print("")
        var samples: [[Double]] = Array(repeating: [], count: setups.count)
        for round in 0..<options.scaleRounds {
            for offset in setups.indices {
                let index = (offset + round) % setups.count
                do {
                    samples[index].append(try bench.measure(setups[index]))
                } catch {
                    print("    failed: \(error)")
                    return
                }
            }
        }
        let medians = samples.map(\.median)
        let sqlite = medians[0]
        let single = medians[1]
        let widths = [16, 10, 9, 14, 18, 16]
        print("    " + Report.row(["store", "processes", "ops/s", "vs sqlite×1", "vs postgresql×1", "spread"], widths))
        for (index, setup) in setups.enumerated() {
            let spread = "\(Int(samples[index].min() ?? 0))–\(Int(samples[index].max() ?? 0))"
            print(
                "    " + Report.row(
                    [setup.label, String(setup.processes), String(format: "%.0f", medians[index]),
                     Report.ratio(medians[index] / sqlite), Report.ratio(medians[index] / single), spread], widths))
        }
        print("    ops/s = operations / seconds from the first process's start to the last one's exit; every")
        print("    operation is checked executed, every row checked present. On a 2-processor machine the")
        print("    processes, PostgreSQL and the hashing share the same two processors.")
    }
}
