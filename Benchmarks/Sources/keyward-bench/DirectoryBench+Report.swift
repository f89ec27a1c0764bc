import Foundation
import KeywardEngine
import KeywardStore

extension DirectoryBench {
    /// The goal of figure (f): engine resets per second over the bare loop's.
    static let goal = 0.7
    /// The share of the processors other processes may take before the
    /// verdict is marked as not holding.
    static let busyShare = 0.2

    /// Starts slapd, measures and prints figure (f) with its goal, and stops slapd.
    static func report(_ options: BenchOptions) {
        let (people, workers, roundCount) = (options.directoryPeople, options.directoryWorkers, options.directoryRounds)
        let clients = options.directoryClients
        print(
            "(f) password resets to slapd: engine vs bare libldap, \(people) people, \(clients) clients, "
                + "\(workers) workers, \(roundCount) rounds")
        print("    engine   = resetPassword with a chosen password (plan: policy, Lua \(script); enqueue: AES-GCM")
        print("               seal, audit) from \(clients) concurrent clients, while Executor.drain runs (claim,")
        print("               open, Password Modify over LDAPS through the ldap connector's pool of bound")
        print("               connections, finish, secrets deleted, audit); timed from first request to drained")
        print("    baseline = ldap_passwd_s for the same DNs and passwords, one after another in C, over one")
        print("               LDAPS connection bound before the clock starts")
        print("    a round:   slices engine, baseline, baseline, engine (odd rounds the reverse)")

        let folder = NSTemporaryDirectory() + "keyward-directory-bench-\(getpid())"
        // A folder left by a killed run with the same pid would hold a database already.
        try? FileManager.default.removeItem(atPath: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let measured: (rounds: [Sample], changes: Int, setup: UInt64, batchSize: Int, others: Double?)
        let slapd: Slapd
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            slapd = try Slapd.start(in: folder + "/slapd")
        } catch {
            print("    not measured: \(error)")
            print("    goal ≥ \(String(format: "%.2f", goal)): MISS (not measured)")
            return
        }
        defer { slapd.stop() }
        print(
            "    slapd:     \(slapd.url) (pid \(slapd.pid)), up in "
                + String(format: "%.2f s", Double(slapd.startNanoseconds) / 1e9)
                + "; its own certificate, mdb synced on commit,")
        print("               ppolicy loaded with a policy that checks neither quality nor history")
        do {
            measured = try Blocking.wait {
                let fixture = try await makeFixture(in: folder, slapd: slapd, people: people, workers: workers)
                var bench = DirectoryBench(fixture: fixture, workers: workers, clients: clients)
                try await bench.calibrate()
                let before = CPUSnapshot(slapd: slapd.pid)
                var rounds: [Sample] = []
                for number in 0..<roundCount {
                    rounds.append(try await bench.round(number))
                }
                let others = before.flatMap { before in CPUSnapshot(slapd: slapd.pid)?.othersShare(since: before) }
                return (rounds, bench.changes, fixture.setupNanoseconds, fixture.engine.executor.batchSize, others)
            }
        } catch {
            print("    not measured: \(error)")
            print("    goal ≥ \(String(format: "%.2f", goal)): MISS (not measured)")
            return
        }
        print(
            "    setup:     \(people) accounts created through the engine (add + Password Modify) in "
                + String(format: "%.2f s", Double(measured.setup) / 1e9) + " (not timed)")
        if let others = measured.others {
            print(
                "    machine:   other processes used " + String(format: "%.0f%%", others * 100)
                    + " of the \(ProcessInfo.processInfo.activeProcessorCount) processors during the rounds")
        }
        print("")
        printFigures(
            measured.rounds, changes: measured.changes, workers: workers, clients: clients, batchSize: measured.batchSize,
            isBusy: (measured.others ?? 0) > busyShare)
    }

    /// The resets per second, where the engine's time goes, and the rounds.
    private static func printFigures(
        _ rounds: [Sample], changes: Int, workers: Int, clients: Int, batchSize: Int, isBusy: Bool
    ) {
        let columns = [12, 8, 11, 11, 8, 14, 13]
        let ratios = rounds.map(\.ratio)
        let goalHeader = "goal ≥ " + String(format: "%.2f", goal)
        print(Report.row(["", "resets", "engine", "baseline", "ratio", "spread", goalHeader], columns))
        print(
            Report.row(
                [
                    "    ldap", "\(changes)", perSecond(rounds.map(\.engine.changesPerSecond).median),
                    perSecond(rounds.map(\.baseline.changesPerSecond).median), Report.ratio(ratios.median),
                    String(format: "%.2f–%.2f×", ratios.min() ?? 0, ratios.max() ?? 0),
                    Report.verdict(ratios.median >= goal) + (isBusy ? " (busy)" : ""),
                ], columns))
        print("    resets per side per round: at most \(maximumChanges), fewer where the engine's side would pass")
        print("    \(secondsPerSide) s; per second: medians of rounds; ratio = engine / baseline, the median of")
        print("    per-round ratios; spread = the lowest and highest round")
        if isBusy {
            let share = Int(busyShare * 100)
            print("    (busy): other processes took over \(share)% of the processors, which slows the bare")
            print("    loop most; the verdict does not hold, run again on an idle machine")
        }
        print("")

        func perReset(_ side: KeyPath<Sample, Timing>, _ part: KeyPath<Timing, UInt64>) -> Double {
            rounds.map { sample in
                let timing = sample[keyPath: side]
                return Double(timing[keyPath: part]) / 1e6 / Double(timing.changes)
            }.median
        }
        let split = [26, 8, 10, 10, 10, 11, 10]
        let headers = ["ms per reset (medians)", "plan", "requests", "drain", "engine", "connector", "baseline"]
        print(Report.row(headers, split))
        print(
            Report.row(
                [
                    "    wall", milliseconds(perReset(\.engine, \.planning)),
                    milliseconds(perReset(\.engine, \.requests)), milliseconds(perReset(\.engine, \.execution)),
                    milliseconds(perReset(\.engine, \.total)), milliseconds(perReset(\.engine, \.connector)),
                    milliseconds(perReset(\.baseline, \.total)),
                ], split))
        print(
            Report.row(
                [
                    "    CPU of this process", "", "", "", milliseconds(perReset(\.engine, \.cpu)),
                    milliseconds(perReset(\.engine, \.connectorCPU)),
                    milliseconds(perReset(\.baseline, \.cpu)),
                ], split))
        func switches(_ side: KeyPath<Sample, Timing>, _ count: KeyPath<Timing, UInt64>) -> String {
            String(format: "%.1f", rounds.map { Double($0[keyPath: side][keyPath: count]) / Double($0[keyPath: side].changes) }.median)
        }
        print(
            Report.row(
                [
                    "    context switches", "", "", "", switches(\.engine, \.switches),
                    switches(\.engine, \.connectorSwitches), switches(\.baseline, \.switches),
                ], split))
        func engineMedian(_ value: (Timing) -> Double) -> Double { rounds.map { value($0.engine) }.median }
        let busy = engineMedian { Double($0.writer.busyNanoseconds) / Double(max($0.total, 1)) }
        let writerCPU = engineMedian { Double($0.writer.cpuNanoseconds) / 1e6 / Double($0.changes) }
        let commits = engineMedian { Double($0.writer.commits) / Double($0.changes) }
        let writes = engineMedian { Double($0.writer.writes) / Double(max($0.writer.commits, 1)) }
        print(
            "    store writer: busy " + String(format: "%.0f%%", busy * 100) + " of the engine's wall time; per reset "
                + String(format: "%.3f ms", writerCPU) + " of its CPU,")
        print("                  " + String(format: "%.2f commits of %.1f writes each", commits, writes))
        let ranDuring = engineMedian { Double($0.ranDuringRequests) / Double($0.changes) }
        let cpuDuring = engineMedian { Double($0.requestsCPU) / Double(max($0.requests, 1)) }
        let cpuAfter = engineMedian { Double($0.cpu - $0.requestsCPU) / Double(max($0.execution, 1)) }
        print(
            "    while the requests came, " + String(format: "%.0f%%", ranDuring * 100)
                + " of the resets ran and this process used " + String(format: "%.2f", cpuDuring)
                + " processors; after, " + String(format: "%.2f", cpuAfter))
        print("    plan = the planner alone (policy, Lua), timed apart; requests = until the last of the requests")
        print("    (plan + store reads + enqueue) from \(clients) clients is queued, the workers draining meanwhile;")
        print("    drain = the rest, until the last reset is recorded; engine = requests + drain;")
        print("    connector = the same resets through LDAPDirectoryConnector.update alone on \(workers) tasks,")
        print("    timed apart (the directory and the connector, without plan or queue). CPU: all threads of")
        print("    keyward-bench (not slapd's) during engine, connector or baseline, per reset; context switches:")
        print("    of all its threads (waits and preemptions), per reset. Per reset the engine")
        print("    writes to its store twice (enqueue, finish) + 1 claim per batch of \(batchSize), and writes")
        print("    that arrive together share one commit (group commit); slapd commits once on either side.")
        print("    store writer = SQLite's one writer connection, which every write waits for: when near 100%")
        print("    busy, it caps the engine whatever the workers and clients (its busy time counts its syncs).")
        print("    while the requests came = the share of the resets recorded when the last request was queued,")
        print("    and the processors this process used until then and after (slapd's not counted).")
        print("")
        let rows: [(String, (Sample) -> Double)] = [
            ("    per round  ratio", \.ratio),
            ("               requests ms", { Double($0.engine.requests) / 1e6 / Double($0.engine.changes) }),
            ("               drain ms", { Double($0.engine.execution) / 1e6 / Double($0.engine.changes) }),
            ("               connector ms", { Double($0.engine.connector) / 1e6 / Double($0.engine.changes) }),
            ("               baseline ms", { Double($0.baseline.execution) / 1e6 / Double($0.baseline.changes) }),
        ]
        for (label, value) in rows {
            print(label.padding(toLength: 30, withPad: " ", startingAt: 0) + Report.series(rounds.map(value)))
        }
    }

    private static func perSecond(_ value: Double) -> String {
        String(format: value < 100 ? "%.1f /s" : "%.0f /s", value)
    }

    private static func milliseconds(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}
