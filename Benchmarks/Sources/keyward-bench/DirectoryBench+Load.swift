import Foundation

extension DirectoryBench {
    /// CPU time the whole machine, this process and slapd had used at one
    /// moment, in clock ticks, from /proc. Two of them tell how much of the
    /// processors other processes took in between: the bare loop waits for
    /// every round trip, so each wake-up that has to queue behind other work
    /// slows it, while the engine's workers keep several requests in flight.
    /// Figure (f)'s ratio moves a lot with that share.
    struct CPUSnapshot {
        /// Busy ticks of all processors (everything but idle and iowait).
        let busy: UInt64
        /// All ticks of all processors.
        let total: UInt64
        /// Ticks this process and slapd used.
        let ours: UInt64

        /// Reads /proc now; nil when it cannot be read.
        init?(slapd: pid_t) {
            guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
            else { return nil }
            // user nice system idle iowait irq softirq steal (guest time is inside user).
            let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }
            guard ticks.count == 8 else { return nil }
            total = ticks.reduce(0, +)
            busy = total - ticks[3] - ticks[4]
            guard let own = Self.processTicks("/proc/self/stat"), let server = Self.processTicks("/proc/\(slapd)/stat")
            else { return nil }
            ours = own + server
        }

        /// The share of all processors that other processes used since `earlier`.
        func othersShare(since earlier: CPUSnapshot) -> Double {
            let elapsed = Double(total - earlier.total)
            let others = Double(busy - earlier.busy) - Double(ours - earlier.ours)
            return elapsed > 0 ? max(0, others) / elapsed : 0
        }

        /// utime + stime of a process (fields 14 and 15 of its stat line,
        /// counted after the parenthesised command name).
        private static func processTicks(_ path: String) -> UInt64? {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                let close = text.lastIndex(of: ")")
            else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
            return user + system
        }
    }
}
