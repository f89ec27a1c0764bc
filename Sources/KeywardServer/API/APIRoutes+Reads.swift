import Hummingbird
import KeywardStore

/// The queue and audit reads.
extension APIRoutes {
    /// The most entries a list returns.
    static let maximumLimit = 1000

    /// `GET /api/v1/operations?state=&user=&system=&limit=` (`queue:read`).
    func operations(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        _ = try context.require(.queueRead)
        let query = request.uri.queryParameters
        var states: Set<OperationState> = []
        for name in query.getAll("state").flatMap({ $0.split(separator: ",") }) {
            guard let state = OperationState(rawValue: String(name)) else {
                let known = OperationState.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badRequest("'state' must be one of \(known)")
            }
            states.insert(state)
        }
        let filter = OperationFilter(
            states: states, username: query.get("user"), system: query.get("system"), limit: try limit(query))
        let operations = try await dependencies.store.operations(filter)
        return try APIResponse.json(APIViews.Operations(operations: operations.map(APIViews.Operation.init)))
    }

    /// `GET /api/v1/operations/{id}` (`queue:read`).
    func operation(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        _ = try context.require(.queueRead)
        guard let id = context.parameters.get("id", as: Int64.self) else {
            throw APIError.badRequest("the operation's id must be a number")
        }
        guard let operation = try await dependencies.store.operation(id: id) else {
            throw APIError.notFound("no operation has the id \(id)")
        }
        return try APIResponse.json(APIViews.Operation(operation))
    }

    /// `GET /api/v1/audit?user=&limit=` (`audit:read`).
    func audit(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        _ = try context.require(.auditRead)
        let query = request.uri.queryParameters
        let entries = try await dependencies.store.audit(AuditFilter(username: query.get("user"), limit: try limit(query)))
        return try APIResponse.json(APIViews.Audit(entries: entries.map(APIViews.AuditEntry.init)))
    }

    /// `limit`: 1 to ``maximumLimit``, 100 when absent.
    private func limit(_ query: Parameters) throws(APIError) -> Int {
        guard let text = query.get("limit") else { return 100 }
        guard let limit = Int(text), (1...Self.maximumLimit).contains(limit) else {
            throw APIError.badRequest("'limit' must be a number from 1 to \(Self.maximumLimit)")
        }
        return limit
    }
}
