/// Counters and latencies for `/metrics` (the API helper fills this in).
public final class ServerMetrics: Sendable {
    /// Creates empty metrics.
    public init() {}
}
