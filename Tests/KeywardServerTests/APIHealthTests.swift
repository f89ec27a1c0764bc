import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// `/healthz` and the headers every response carries, over real HTTP.
@Suite("Health and security headers", .offThePool)
struct APIHealthTests {
    @Test func healthzAnswersOkWithTheStrictHeaders() async throws {
        let server = try await ServerHarness.start()

        let reply = try await server.request(.GET, "/healthz")

        #expect(reply.status == 200)
        #expect(reply.body == "ok\n")
        #expect(reply.header("Content-Security-Policy") == SecurityHeadersMiddleware<KeywardRequestContext>.contentSecurityPolicy)
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
        #expect(reply.header("X-Frame-Options") == "DENY")
        #expect(reply.header("Referrer-Policy") == "no-referrer")
        #expect(reply.header("Cache-Control") == "no-store")
        #expect(reply.header("Strict-Transport-Security") == nil)
        #expect(server.logs.lines.contains { $0.contains("GET /healthz 200") })
        await server.stop()
    }

    @Test func anUnknownPathIs404WithTheHeadersAndHSTSWhenSecure() async throws {
        let server = try await ServerHarness.start { $0.secureTransport = true }

        let reply = try await server.request(.GET, "/no-such-page")

        #expect(reply.status == 404)
        #expect(reply.header("X-Frame-Options") == "DENY")
        #expect(reply.header("Strict-Transport-Security") == "max-age=31536000; includeSubDomains")
        await server.stop()
    }
}
