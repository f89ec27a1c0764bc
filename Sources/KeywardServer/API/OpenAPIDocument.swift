import Foundation

/// `/openapi.json`: the OpenAPI 3.1 document of the API, built from
/// ``APIRoute``'s table (so every registered route is described) with the
/// schemas of ``OpenAPISchemas``.
enum OpenAPIDocument {
    /// The document as a JSON object.
    static var document: [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in APIRoute.all + APIRoute.unauthenticated {
            paths[route.path, default: [:]][route.method.lowercased()] = operation(route)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Keyward API",
                "version": "1",
                "description": """
                    Password operations (initialize, change, reset, unlock) and queue and audit reads. \
                    Every call under /api/v1 needs a bearer token made by `keyward token create --name NAME --scope SCOPE`; \
                    each route names the scope it needs. Operations are queued (202) and run by the workers; \
                    follow them with GET /api/v1/operations/{id}. No response ever holds a password.
                    """,
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer", "bearerFormat": "kw_ and 43 base64url characters",
                        "description": "Scopes: "
                            + APIScope.allCases.map(\.rawValue).joined(separator: ", ")
                            + ". The security requirement of each operation lists the scope it needs.",
                    ]
                ],
                "schemas": OpenAPISchemas.all,
                "responses": OpenAPISchemas.errorResponses,
            ],
        ]
    }

    /// The document as served.
    static var json: Data {
        (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// One operation object.
    private static func operation(_ route: APIRoute) -> [String: Any] {
        var operation: [String: Any] = ["operationId": route.operationID, "summary": route.summary]
        var parameters: [[String: Any]] = []
        for name in pathParameters(route.path) {
            let schema: [String: Any] = name == "id" ? ["type": "integer", "format": "int64"] : ["type": "string"]
            parameters.append(["name": name, "in": "path", "required": true, "schema": schema])
        }
        parameters += OpenAPISchemas.queryParameters(route.operationID)
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let request = OpenAPISchemas.requestSchema(route.operationID) {
            operation["requestBody"] = [
                "required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(request)"]]],
            ]
        }
        var responses = OpenAPISchemas.successResponses(route)
        if route.path.hasPrefix(APIRoute.prefix) {
            operation["security"] = [["bearer": route.scope.map { [$0.rawValue] } ?? []]]
            for code in OpenAPISchemas.errorCodes(route.operationID) {
                responses[code] = ["$ref": "#/components/responses/\(code)"]
            }
        } else {
            operation["security"] = [[String: Any]]()
        }
        operation["responses"] = responses
        return operation
    }

    /// The `{names}` of a path.
    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }
}
