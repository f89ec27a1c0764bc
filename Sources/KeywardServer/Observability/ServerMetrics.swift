public import KeywardEngine
public import KeywardStore
import Synchronization

/// Counters and latencies for `/metrics`, in Prometheus' text format:
///
/// - `keyward_operation_attempts_total{system,action,outcome}`: the
///   executor's attempts (``record(_:)``, its observer);
/// - `keyward_operation_duration_seconds{system,action}`: how long the
///   systems took, a histogram;
/// - `keyward_queue_operations{state}`: the queue's depth by state, read
///   from the store at each scrape;
/// - `keyward_http_requests_total{method,route,status}`: the server's
///   requests by route pattern (`/api/v1/people/{username}/reset`, never a
///   username or a link's token).
///
/// Nothing here is a secret; `/metrics` needs no token (keep it off the
/// public network, as docs/api.md says).
public final class ServerMetrics: Sendable {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// The latency histogram's upper bounds, in seconds.
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct Latency {
        var counts: [Int] = Array(repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    private struct State {
        var attempts: [[String]: Int] = [:]
        var latencies: [[String]: Latency] = [:]
        var requests: [[String]: Int] = [:]
    }

    private let state = Mutex(State())

    /// Creates empty metrics.
    public init() {}

    /// Counts an executor's attempt: give this to `Executor.observer`.
    public func record(_ report: OperationAttemptReport) {
        let seconds = Double(report.duration.components.seconds) + Double(report.duration.components.attoseconds) / 1e18
        state.withLock { state in
            state.attempts[[report.system, report.action, report.outcome], default: 0] += 1
            var latency = state.latencies[[report.system, report.action]] ?? Latency()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { latency.counts[index] += 1 }
            latency.sum += seconds
            latency.count += 1
            state.latencies[[report.system, report.action]] = latency
        }
    }

    /// Counts an HTTP request by method, route pattern and status.
    public func recordRequest(method: String, route: String, status: Int) {
        state.withLock { $0.requests[[method, route, String(status)], default: 0] += 1 }
    }

    /// The attempts counted for `system`, `action` and `outcome` (tests, the benchmark).
    public func attempts(system: String, action: String, outcome: String) -> Int {
        state.withLock { $0.attempts[[system, action, outcome]] ?? 0 }
    }

    /// The exposition: the counters, the histogram, and the queue's depth
    /// read from `store` now (left out, with a comment, if the store fails).
    public func exposition(store: any ServingStore) async -> String {
        let counts = try? await store.operationCounts()
        let snapshot = state.withLock { $0 }
        var text = PrometheusText()
        text.family("keyward_operation_attempts_total", "counter", "Executor attempts by system, action and outcome.")
        for (labels, value) in snapshot.attempts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            text.sample(
                "keyward_operation_attempts_total", [("system", labels[0]), ("action", labels[1]), ("outcome", labels[2])],
                Double(value))
        }
        text.family(
            "keyward_operation_duration_seconds", "histogram", "How long the systems took per attempt, by system and action.")
        for (labels, latency) in snapshot.latencies.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let base = [("system", labels[0]), ("action", labels[1])]
            for (index, bound) in Self.buckets.enumerated() {
                text.sample(
                    "keyward_operation_duration_seconds_bucket", base + [("le", PrometheusText.number(bound))],
                    Double(latency.counts[index]))
            }
            text.sample("keyward_operation_duration_seconds_bucket", base + [("le", "+Inf")], Double(latency.count))
            text.sample("keyward_operation_duration_seconds_sum", base, latency.sum)
            text.sample("keyward_operation_duration_seconds_count", base, Double(latency.count))
        }
        text.family("keyward_queue_operations", "gauge", "Operations in the queue by state, read at the scrape.")
        if let counts {
            for state in OperationState.allCases {
                text.sample("keyward_queue_operations", [("state", state.rawValue)], Double(counts[state] ?? 0))
            }
        } else {
            text.comment("the store did not answer; the queue's depth is left out")
        }
        text.family("keyward_http_requests_total", "counter", "HTTP requests by method, route pattern and status.")
        for (labels, value) in snapshot.requests.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            text.sample(
                "keyward_http_requests_total", [("method", labels[0]), ("route", labels[1]), ("status", labels[2])],
                Double(value))
        }
        return text.output
    }
}
