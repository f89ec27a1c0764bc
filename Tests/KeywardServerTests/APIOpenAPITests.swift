import Foundation
import Hummingbird
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// `/openapi.json` against the router: every JSON route is described, every
/// described path is served, with the scope the handler checks.
@Suite("API: the OpenAPI document", .offThePool)
struct APIOpenAPITests {
    /// The router's routes the document must cover: the API and the public JSON/text routes (not the pages).
    static func jsonRoutes(_ server: ServerHarness) -> Set<String> {
        let documented = Set(APIRoute.unauthenticated.map(\.path))
        return Set(
            KeywardServer.router(server.dependencies).routes
                .filter { $0.path.description.hasPrefix(APIRoute.prefix) || documented.contains($0.path.description) }
                .map { "\($0.method.rawValue) \($0.path.description)" })
    }

    @Test func everyRouteIsInTheDocumentAndEveryDocumentedRouteExists() async throws {
        let server = try await ServerHarness.start()
        let reply = try await server.request(.GET, "/openapi.json")
        await server.stop()

        #expect(reply.status == 200)
        #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(reply.json["openapi"] as? String == "3.1.0")
        let paths = try #require(reply.json["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Self.jsonRoutes(server)
        #expect(served.count == 11)
        #expect(served.subtracting(documented).isEmpty, "not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "not served: \(documented.subtracting(served).sorted())")
    }

    @Test func eachOperationNamesItsScopeParametersAndResponses() async throws {
        let server = try await ServerHarness.start()
        let document = try await server.request(.GET, "/openapi.json").json
        await server.stop()

        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        for route in APIRoute.all {
            let operation = try #require(paths[route.path]?[route.method.lowercased()], "\(route.path)")
            let security = try #require(operation["security"] as? [[String: [String]]])
            #expect(security == [["bearer": route.scope.map { [$0.rawValue] } ?? []]], "\(route.path)")
            let responses = try #require(operation["responses"] as? [String: Any])
            #expect(responses["401"] != nil && responses["403"] != nil, "\(route.path)")
            let parameters = (operation["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "path" }
            #expect(
                Set(parameters.compactMap { $0["name"] as? String })
                    == Set(route.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }))
        }
        let schemes = try #require((document["components"] as? [String: Any])?["securitySchemes"] as? [String: [String: Any]])
        #expect(schemes["bearer"]?["scheme"] as? String == "bearer")
    }

    @Test func everyReferenceResolves() async throws {
        let server = try await ServerHarness.start()
        let reply = try await server.request(.GET, "/openapi.json")
        await server.stop()

        let document = reply.json
        let references = Set(
            reply.body.components(separatedBy: "\"$ref\":\"").dropFirst().compactMap { $0.split(separator: "\"").first }
                .map(String.init))
        #expect(references.count > 10)
        for reference in references {
            let parts = reference.split(separator: "/").dropFirst().map(String.init)  // "#"
            var node: Any? = document
            for part in parts { node = (node as? [String: Any])?[part] }
            #expect(node != nil, "\(reference) does not resolve")
        }
    }
}
