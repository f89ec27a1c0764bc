/// The API's routes, in one table: the router registers from it and
/// `/openapi.json` describes it, so the two cannot drift apart (a test walks
/// the router's routes against the document).
public struct APIRoute: Sendable, Hashable {
    /// The HTTP method, upper case.
    public var method: String
    /// The path in OpenAPI form (`/api/v1/people/{username}/reset`).
    public var path: String
    /// The OpenAPI `operationId`.
    public var operationID: String
    /// The scope it needs (nil: any valid token, or none for the public routes).
    public var scope: APIScope?
    /// One line for the document.
    public var summary: String

    /// Where the JSON API lives.
    public static let prefix = "/api/v1"

    static let initialize = APIRoute(
        method: "POST", path: prefix + "/people/{username}/initialize", operationID: "initialize", scope: .initialize,
        summary: "Initialize the person's password on a system: one-way (generated and mailed) or two-way (a link mailed)")
    static let change = APIRoute(
        method: "POST", path: prefix + "/people/{username}/change", operationID: "change", scope: .change,
        summary: "Change the person's password on some or all of their accounts, proving the current one")
    static let reset = APIRoute(
        method: "POST", path: prefix + "/people/{username}/reset", operationID: "reset", scope: .reset,
        summary: "Reset the person's password on a system: typed, or generated (never returned)")
    static let unlock = APIRoute(
        method: "POST", path: prefix + "/people/{username}/unlock", operationID: "unlock", scope: .unlock,
        summary: "Unlock the person's account on a system")
    static let accounts = APIRoute(
        method: "GET", path: prefix + "/people/{username}/accounts", operationID: "listAccounts", scope: nil,
        summary: "The person's accounts and the operations each system supports")
    static let operations = APIRoute(
        method: "GET", path: prefix + "/operations", operationID: "listOperations", scope: .queueRead,
        summary: "Queued operations, newest first")
    static let operation = APIRoute(
        method: "GET", path: prefix + "/operations/{id}", operationID: "getOperation", scope: .queueRead,
        summary: "One queued operation")
    static let audit = APIRoute(
        method: "GET", path: prefix + "/audit", operationID: "listAudit", scope: .auditRead,
        summary: "Audit entries, newest first")

    /// Every route behind the bearer token.
    public static let all: [APIRoute] = [initialize, change, reset, unlock, accounts, operations, operation, audit]

    /// The routes served without a token, also in the document.
    public static let openapi = APIRoute(
        method: "GET", path: "/openapi.json", operationID: "openapi", scope: nil, summary: "This document")
    public static let metrics = APIRoute(
        method: "GET", path: "/metrics", operationID: "metrics", scope: nil, summary: "Prometheus metrics")
    public static let healthz = APIRoute(
        method: "GET", path: "/healthz", operationID: "health", scope: nil, summary: "200 when the store answers")

    /// The public routes the document describes.
    public static let unauthenticated: [APIRoute] = [healthz, openapi, metrics]

    /// The path as the router spells it: relative to ``prefix``.
    var routerPath: String {
        path.hasPrefix(Self.prefix) ? String(path.dropFirst(Self.prefix.count)) : path
    }
}
