import Foundation

extension ColdStart {
    /// Measures and prints figure (d): `keyward dry-run` beside baseline processes.
    static func report(_ options: BenchOptions) {
        guard let keywardPath = options.keywardPath else {
            print("(d) cold dry-run: skipped (pass --keyward PATH to the release binary)")
            print("    goal < 30 ms: MISS (not measured)")
            return
        }
        let binary = URL(fileURLWithPath: keywardPath).standardizedFileURL.path
        let scratch = NSTemporaryDirectory() + "keyward-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let script = scratch + "/prefix-upper.lua"
        guard FileManager.default.createFile(atPath: script, contents: Data((Workload.chunk + "\n").utf8)) else {
            print("(d) cold dry-run: cannot write \(script)")
            return
        }

        let columns = [44, 11, 11, 11]
        print(
            Report.row(
                ["(d) cold process, \(options.spawns) spawns each, interleaved", "median", "p90", "first"], columns))
        if let problem = validateDryRun(keyward: binary, script: script, scratch: scratch) {
            print("    keyward dry-run not measured: \(problem)")
            print("    goal < 30 ms: MISS (not measured)")
            return
        }
        var commands = [
            Sample(label: "keyward dry-run SCRIPT --value x", argv: [binary, "dry-run", script, "--value", "x"])
        ]
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/lua5.4") {
            commands.append(Sample(label: "lua5.4 -e ''", argv: ["/usr/bin/lua5.4", "-e", ""]))
        }
        commands.append(Sample(label: "/bin/true", argv: ["/bin/true"]))
        let samples: [Sample]
        do {
            samples = try measure(commands, count: options.spawns)
        } catch {
            print("    not measured: \(error.message)")
            print("    goal < 30 ms: MISS (not measured)")
            return
        }
        for sample in samples {
            let times = sample.milliseconds
            print(
                Report.row(
                    [
                        "    " + sample.label, Report.ms(times.median), Report.ms(times.percentile(90)),
                        Report.ms(times[0]),
                    ],
                    columns))
        }
        let dryRun = samples[0].milliseconds
        for baseline in samples.dropFirst() {
            let extra = String(format: "%+.2f ms", dryRun.median - baseline.milliseconds.median)
            let ratio = Report.ratio(dryRun.median / baseline.milliseconds.median)
            print("    dry-run minus \(baseline.label): \(extra), ratio \(ratio)")
        }
        let goal = "goal < 30 ms: median \(Report.verdict(dryRun.median < 30))"
        print("    \(goal), p90 \(Report.verdict(dryRun.percentile(90) < 30))")
    }
}
