/// Figures (a), (b) and (c): Keyward against the bare loop in this process,
/// in interleaved rounds so both sides see the same machine.
struct InProcessBench {
    /// One round's measurements.
    struct Round {
        /// Nanoseconds per call on the main thread.
        var keywardMainNs: Double
        var bareMainNs: Double
        /// Nanoseconds per call on one of the benchmark's threads.
        var keywardThreadNs: Double
        var bareThreadNs: Double
        /// Calls per second with one and with two of the benchmark's threads.
        var keywardOneThread: Double
        var keywardTwoThreads: Double
        var bareOneThread: Double
        var bareTwoThreads: Double
        /// Calls per CPU-second with two threads over the same with one:
        /// 1.0 when the threads do not slow each other down, however busy
        /// the machine is.
        var keywardCPUEfficiency: Double
        var bareCPUEfficiency: Double
    }

    let keyward: KeywardPath
    let bare: [BareLoop]
    let options: BenchOptions
    /// Calls per figure per thread in one round, calibrated to ``BenchOptions/secondsPerFigure``.
    private(set) var keywardCalls = 0
    private(set) var bareCalls = 0

    init(keyward: KeywardPath, options: BenchOptions) {
        self.keyward = keyward
        self.bare = [BareLoop(), BareLoop()]
        self.options = options
    }

    /// Checks both sides compute the same result, warms them up and sizes the runs.
    mutating func calibrate() {
        let fromKeyward = keyward.runOnce()
        let fromBare = bare[0].runOnce()
        guard fromKeyward == Workload.expected, fromBare == Workload.expected, bare[1].runOnce() == Workload.expected
        else {
            fatalError("results differ: the benchmark would compare different work")
        }
        keywardCalls = Self.calls(in: options.secondsPerFigure) { keyward.run($0) }
        bareCalls = Self.calls(in: options.secondsPerFigure) { bare[0].run($0) }
        // Warm the second thread's path too (its first call compiles the chunk).
        StackThreads.run(count: 2, stackBytes: options.threadStackBytes) { [keyward, bare] index in
            keyward.run(1000)
            bare[index].run(1000)
        }
    }

    /// Runs one round. Each figure is cut into ``slices`` that alternate
    /// Keyward and baseline (and one thread and two), so a burst of noise
    /// lands on both sides of a ratio rather than on one.
    func round(_ number: Int) -> Round {
        let keywardSlice = max(1, keywardCalls / Self.slices)
        let bareSlice = max(1, bareCalls / Self.slices)
        let stack = options.threadStackBytes
        var main = PerSide<UInt64>(keyward: 0, bare: 0)
        var oneThread = PerSide(keyward: StackThreads.Timing(), bare: StackThreads.Timing())
        var twoThreads = oneThread
        for slice in 0..<Self.slices {
            let keywardFirst = (number + slice) % 2 == 0
            for isKeyward in keywardFirst ? [true, false] : [false, true] {
                let start = Clock.now()
                isKeyward ? keyward.run(keywardSlice) : bare[0].run(bareSlice)
                main[isKeyward] += Clock.now() - start
            }
            for isKeyward in keywardFirst ? [true, false] : [false, true] {
                let calls = isKeyward ? keywardSlice : bareSlice
                for threads in slice % 2 == 0 ? [1, 2] : [2, 1] {
                    let timing = StackThreads.run(count: threads, stackBytes: stack) { [keyward, bare] index in
                        isKeyward ? keyward.run(calls) : bare[index].run(calls)
                    }
                    if threads == 1 {
                        oneThread[isKeyward] += timing
                    } else {
                        twoThreads[isKeyward] += timing
                    }
                }
            }
        }
        let keywardTotal = Double(keywardSlice * Self.slices)
        let bareTotal = Double(bareSlice * Self.slices)
        let (keywardOne, keywardTwo) = (oneThread.keyward, twoThreads.keyward)
        let (bareOne, bareTwo) = (oneThread.bare, twoThreads.bare)
        return Round(
            keywardMainNs: Double(main.keyward) / keywardTotal,
            bareMainNs: Double(main.bare) / bareTotal,
            keywardThreadNs: Double(keywardOne.wall) / keywardTotal,
            bareThreadNs: Double(bareOne.wall) / bareTotal,
            keywardOneThread: keywardTotal / (Double(keywardOne.wall) / 1e9),
            keywardTwoThreads: 2 * keywardTotal / (Double(keywardTwo.wall) / 1e9),
            bareOneThread: bareTotal / (Double(bareOne.wall) / 1e9),
            bareTwoThreads: 2 * bareTotal / (Double(bareTwo.wall) / 1e9),
            keywardCPUEfficiency: 2 * Double(keywardOne.cpu) / Double(keywardTwo.cpu),
            bareCPUEfficiency: 2 * Double(bareOne.cpu) / Double(bareTwo.cpu))
    }

    /// Alternating pieces each figure of a round is cut into.
    static let slices = 4

    /// Warms `body` up for about a tenth of the target and returns the number
    /// of calls that takes `seconds`.
    private static func calls(in seconds: Double, _ body: (Int) -> Void) -> Int {
        var batch = 1000
        var elapsed: UInt64 = 0
        while true {
            let start = Clock.now()
            body(batch)
            elapsed = Clock.now() - start
            if Double(elapsed) >= seconds * 1e8 { break }
            batch *= 2
        }
        return max(1000, Int(seconds * 1e9 / (Double(elapsed) / Double(batch))))
    }
}

/// One value for Keyward's side of a figure and one for the baseline's.
private struct PerSide<Value> {
    var keyward: Value
    var bare: Value

    subscript(isKeyward: Bool) -> Value {
        get { isKeyward ? keyward : bare }
        set {
            if isKeyward { keyward = newValue } else { bare = newValue }
        }
    }
}
