extension InProcessBench {
    /// Prints figures (a), (b) and (c) with their goals.
    func report(_ rounds: [Round]) {
        func median(_ key: KeyPath<Round, Double>) -> Double { rounds.map { $0[keyPath: key] }.median }
        let mainRatios = rounds.map { $0.keywardMainNs / $0.bareMainNs }
        let threadRatios = rounds.map { $0.keywardThreadNs / $0.bareThreadNs }
        let keywardScaling = rounds.map { $0.keywardTwoThreads / $0.keywardOneThread }
        let bareScaling = rounds.map { $0.bareTwoThreads / $0.bareOneThread }
        let mainStack = StackThreads.currentStackBytes() >> 10
        let threadStack =
            StackThreads.runReturning(stackBytes: options.threadStackBytes) {
                StackThreads.currentStackBytes()
            } >> 10

        let callColumns = [44, 11, 11, 8, 13]
        print(
            Report.row(
                ["(a) Keyward vs (b) bare loop, ns per call", "Keyward", "bare", "ratio", "goal ≤ 2.00"], callColumns))
        print(
            Report.row(
                [
                    "    main thread (\(mainStack) KiB stack)", Report.ns(median(\.keywardMainNs)),
                    Report.ns(median(\.bareMainNs)), Report.ratio(mainRatios.median),
                    Report.verdict(mainRatios.median <= 2.0),
                ], callColumns))
        print(
            Report.row(
                [
                    "    own thread (\(threadStack) KiB stack)", Report.ns(median(\.keywardThreadNs)),
                    Report.ns(median(\.bareThreadNs)), Report.ratio(threadRatios.median),
                    Report.verdict(threadRatios.median <= 2.0),
                ], callColumns))
        print("")

        let rateColumns = [38, 12, 12, 9, 13]
        print(
            Report.row(
                ["(c) throughput on own threads", "1 thread", "2 threads", "scaling", "goal ≥ 1.80"], rateColumns))
        print(
            Report.row(
                [
                    "    Keyward", Report.rate(median(\.keywardOneThread)), Report.rate(median(\.keywardTwoThreads)),
                    Report.ratio(keywardScaling.median), Report.verdict(keywardScaling.median >= 1.8),
                ], rateColumns))
        print(
            Report.row(
                [
                    "    bare loop (what the machine gives)", Report.rate(median(\.bareOneThread)),
                    Report.rate(median(\.bareTwoThreads)), Report.ratio(bareScaling.median), "",
                ], rateColumns))
        print(
            "    Keyward's scaling relative to the bare loop's: \(Report.ratio(keywardScaling.median / bareScaling.median))"
        )
        print("    calls per CPU-second, 2 threads vs 1 (1.00 = the threads do not slow each other down,")
        print(
            "    whatever else the machine runs): Keyward \(Report.ratio(median(\.keywardCPUEfficiency))), "
                + "bare loop \(Report.ratio(median(\.bareCPUEfficiency)))")
        print("")
        print("    per round  (a)/(b) main    \(Report.series(mainRatios))")
        print("               (a)/(b) thread  \(Report.series(threadRatios))")
        print("               Keyward 2 vs 1  \(Report.series(keywardScaling))")
        print("               bare 2 vs 1     \(Report.series(bareScaling))")
        let workers = Report.threadCount(named: "keyward-lua")
        let inline = workers == 0 ? "every call ran inline on its calling thread" : "calls were handed to workers"
        print("    engine worker threads started: \(workers) (\(inline))")
    }
}
