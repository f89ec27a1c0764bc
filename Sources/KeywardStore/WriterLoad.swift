/// What SQLite's one writer connection has done since the store opened.
/// Every write of the store waits for it, so its busy share is what caps a
/// store's writes per second: near 100 %, more workers or clients add
/// nothing (figure (f) of the benchmarks reports it).
public struct WriterLoad: Sendable, Equatable {
    /// Transactions, each holding one or more writes (group commit).
    public var commits: UInt64 = 0
    /// Writes in them.
    public var writes: UInt64 = 0
    /// Wall-clock nanoseconds the writer spent on them, syncs included.
    public var busyNanoseconds: UInt64 = 0
    /// Processor nanoseconds the writer's thread used meanwhile.
    public var cpuNanoseconds: UInt64 = 0

    /// No load.
    public init() {}

    /// The load between `earlier` and this one.
    public static func - (later: WriterLoad, earlier: WriterLoad) -> WriterLoad {
        later.combined(with: earlier, by: -)
    }

    /// Two loads together (two periods measured apart).
    public static func + (lhs: WriterLoad, rhs: WriterLoad) -> WriterLoad {
        lhs.combined(with: rhs, by: +)
    }

    private func combined(with other: WriterLoad, by operation: (UInt64, UInt64) -> UInt64) -> WriterLoad {
        var load = WriterLoad()
        load.commits = operation(commits, other.commits)
        load.writes = operation(writes, other.writes)
        load.busyNanoseconds = operation(busyNanoseconds, other.busyNanoseconds)
        load.cpuNanoseconds = operation(cpuNanoseconds, other.cpuNanoseconds)
        return load
    }
}
