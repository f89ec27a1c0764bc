import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// `/metrics` after real operations: the executor's attempts and their
/// latency, the queue's depth, the requests by route pattern.
@Suite("Metrics", .offThePool)
struct MetricsTests {
    @Test func attemptsLatencyQueueDepthAndRequestsAreExposed() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: "Start-Passw0rd-1")
        let token = try await server.token("portal", scopes: ["change", "unlock"])
        let good = #"{"currentPassword": "Start-Passw0rd-1", "newPassword": "New-Passw0rd-2"}"#
        let wrong = #"{"currentPassword": "Wrong-Passw0rd-9", "newPassword": "Other-Passw0rd-3"}"#
        #expect(try await server.api(.POST, "/api/v1/people/ada/change", token: token, body: good).status == 202)
        try await server.executor.drain()
        #expect(try await server.api(.POST, "/api/v1/people/ada/change", token: token, body: wrong).status == 202)
        #expect(try await server.api(.POST, "/api/v1/people/ada/unlock", token: token, body: #"{"system": "payroll"}"#).status == 422)
        let queued = try await server.api(.POST, "/api/v1/people/ada/unlock", token: token, body: #"{"system": "hr"}"#)
        #expect(queued.status == 202)
        try await server.executor.drain()
        #expect(try await server.api(.POST, "/api/v1/people/ada/unlock", token: token, body: #"{"system": "hr"}"#).status == 202)

        let reply = try await server.request(.GET, "/metrics")
        await server.stop()

        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == ServerMetrics.contentType)
        let lines = Set(reply.body.split(separator: "\n").map(String.init))
        for expected in [
            #"keyward_operation_attempts_total{system="hr",action="change",outcome="executed"} 1"#,
            #"keyward_operation_attempts_total{system="hr",action="change",outcome="failed"} 1"#,
            #"keyward_operation_attempts_total{system="hr",action="unlock",outcome="executed"} 1"#,
            #"keyward_operation_duration_seconds_bucket{system="hr",action="change",le="+Inf"} 2"#,
            #"keyward_operation_duration_seconds_count{system="hr",action="change"} 2"#,
            #"keyward_queue_operations{state="executed"} 3"#,
            #"keyward_queue_operations{state="failed"} 1"#,
            #"keyward_queue_operations{state="created"} 1"#,
            #"keyward_http_requests_total{method="POST",route="/api/v1/people/{username}/change",status="202"} 2"#,
            #"keyward_http_requests_total{method="POST",route="/api/v1/people/{username}/unlock",status="422"} 1"#,
            #"keyward_http_requests_total{method="POST",route="/api/v1/people/{username}/unlock",status="202"} 2"#,
            "# TYPE keyward_operation_duration_seconds histogram",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)\n\(reply.body)")
        }
        let buckets = reply.body.split(separator: "\n").filter {
            $0.hasPrefix(#"keyward_operation_duration_seconds_bucket{system="hr",action="change""#)
        }
        let counts = buckets.compactMap { Int($0.split(separator: " ").last ?? "") }
        #expect(counts.count == ServerMetrics.buckets.count + 1)
        #expect(counts == counts.sorted())
        #expect(!reply.body.contains("ada"))
    }

    @Test func anEmptyServerExposesTheQueueAndItsOwnScrape() async throws {
        let server = try await ServerHarness.start()
        _ = try await server.request(.GET, "/metrics")
        let reply = try await server.request(.GET, "/metrics")
        await server.stop()

        #expect(reply.body.contains(#"keyward_queue_operations{state="created"} 0"#))
        #expect(reply.body.contains(#"keyward_http_requests_total{method="GET",route="/metrics",status="200"} 1"#))
        #expect(!reply.body.contains("keyward_operation_attempts_total{"))
    }
}
