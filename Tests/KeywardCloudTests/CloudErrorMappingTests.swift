import Foundation
import Hummingbird
import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// Graph's and ServiceNow's documented error answers, mapped one by one.
@Suite("Cloud error mapping", .offThePool)
struct CloudErrorMappingTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func response(_ status: Int, _ body: String, headers: [(String, String)] = []) -> CloudResponse {
        CloudResponse(status: status, headers: headers, body: ByteBuffer(string: body))
    }

    static func graph(_ code: String, _ message: String) -> String {
        #"{"error":{"code":"\#(code)","message":"\#(message)","innerError":{"date":"2026-11-29T10:00:00","request-id":"r-1","client-request-id":"c-1"}}}"#
    }

    @Test(
        "Graph answers",
        arguments: [
            (400, graph("Request_BadRequest", "The specified password does not comply with password complexity requirements. Please provide a different password."), ConnectorError.Kind.policyRejected),
            (400, graph("Request_BadRequest", "Another object with the same value for property userPrincipalName already exists."), .alreadyExists),
            (400, graph("Request_BadRequest", "Invalid value specified for property 'mailNickname' of resource 'User'."), .failed),
            (401, graph("InvalidAuthenticationToken", "Access token has expired or is not yet valid."), .credentialsRejected),
            (403, graph("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), .permissionDenied),
            (404, graph("Request_ResourceNotFound", "Resource 'x' does not exist."), .notFound),
            (429, graph("TooManyRequests", "Too many requests."), .throttled),
            (503, graph("serviceNotAvailable", "Service unavailable."), .unreachable),
            (500, graph("generalException", "General exception."), .unreachable),
            (504, "<html>gateway</html>", .unreachable),
            (409, graph("Conflict", "Conflict."), .failed),
        ])
    func graphAnswers(status: Int, body: String, kind: ConnectorError.Kind) {
        let error = EntraErrorMapping.failure(
            Self.response(status, body), uid: "alice@contoso.example", forbidden: "grant X", secrets: [], now: Self.now)
        #expect(error.kind == kind, "\(error)")
        #expect(error.message.contains("Graph \(status)"))
        if body.hasPrefix("{") { #expect(error.message.contains("request-id r-1, client-request-id c-1"), "\(error)") }
    }

    @Test("Retry-After becomes retryAfter; 503 with one is throttled")
    func graphRetryAfter() {
        let throttled = EntraErrorMapping.failure(
            Self.response(429, Self.graph("TooManyRequests", "x"), headers: [("Retry-After", "17")]), uid: nil,
            forbidden: "", secrets: [], now: Self.now)
        #expect(throttled.retryAfter == .seconds(17))
        let unavailable = EntraErrorMapping.failure(
            Self.response(503, "", headers: [("Retry-After", "Tue, 14 Nov 2023 22:14:00 GMT")]), uid: nil, forbidden: "",
            secrets: [], now: Self.now)
        #expect(unavailable.kind == .throttled && unavailable.retryAfter == .seconds(1_700_000_040 - 1_700_000_000))
    }

    @Test("ids come from the headers first, else the error body")
    func ids() {
        let headers = Self.response(400, Self.graph("X", "y"), headers: [("request-id", "h-1"), ("client-request-id", "h-2")])
        #expect(EntraErrorMapping.ids(headers) == "request-id h-1, client-request-id h-2")
        #expect(EntraErrorMapping.ids(Self.response(400, Self.graph("X", "y"))) == "request-id r-1, client-request-id c-1")
    }

    @Test(
        "token endpoint answers",
        arguments: [
            (401, #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"trace_id":"t-1","correlation_id":"k-1"}"#, ConnectorError.Kind.credentialsRejected),
            (400, #"{"error":"unauthorized_client","error_codes":[700016]}"#, .credentialsRejected),
            (400, #"{"error":"invalid_request","error_codes":[90002]}"#, .configuration),
            (400, #"{"error":"invalid_scope","error_codes":[1002012]}"#, .configuration),
            (503, "{}", .unreachable),
            (500, "{}", .unreachable),
        ])
    func tokenAnswers(status: Int, body: String, kind: ConnectorError.Kind) throws {
        let settings = try EntraSettings(
            definition: CloudSettingsTests.entra([:]), environment: CloudFixtures.environment(["clientSecret": "s"]))
        let error = EntraErrorMapping.tokenFailure(Self.response(status, body), settings: settings, now: Self.now)
        #expect(error.kind == kind, "\(error)")
    }

    static func serviceNow(_ message: String, _ detail: String?) -> String {
        #"{"error":{"message":"\#(message)","detail":\#(detail.map { "\"\($0)\"" } ?? "null")},"status":"failure"}"#
    }

    @Test(
        "Table API answers",
        arguments: [
            (400, serviceNow("Invalid table u_x", nil), ConnectorError.Kind.failed),
            (400, serviceNow("Password does not meet policy", "Password too simple"), .policyRejected),
            (401, serviceNow("User Not Authenticated", "Required to provide Auth information"), .credentialsRejected),
            (403, serviceNow("Operation Failed", "ACL Exception Insert Failed due to security constraints"), .permissionDenied),
            (404, serviceNow("No Record found", "Record doesn't exist or ACL restricts the record retrieval"), .notFound),
            (429, serviceNow("Rate limit exceeded", nil), .throttled),
            (502, "<html>bad gateway</html>", .unreachable),
        ])
    func serviceNowAnswers(status: Int, body: String, kind: ConnectorError.Kind) {
        let error = ServiceNowErrorMapping.failure(
            Self.response(status, body), uid: "alice", requestID: "k-1", secrets: [], now: Self.now)
        #expect(error.kind == kind, "\(error)")
        #expect(error.message.contains("ServiceNow \(status)") && error.message.contains("X-Request-ID k-1"))
    }

    @Test("a 200 HTML page is detected by content type or by its first character")
    func html() {
        #expect(Self.response(200, "<html/>", headers: [("Content-Type", "text/html")]).isHTML)
        #expect(Self.response(200, "  \n<!DOCTYPE html>").isHTML)
        #expect(!Self.response(200, #"{"result":[]}"#, headers: [("Content-Type", "application/json")]).isHTML)
        #expect(ServiceNowErrorMapping.htmlPage(Self.response(200, "<html/>"), requestID: "k-2").kind == .unreachable)
    }

    @Test("X-RateLimit-Reset gives the wait when Retry-After is missing")
    func rateLimitReset() {
        let response = Self.response(429, "{}", headers: [("X-RateLimit-Reset", "1700000045")])
        #expect(ServiceNowErrorMapping.retryAfter(response, now: Self.now) == .seconds(45))
    }
}
