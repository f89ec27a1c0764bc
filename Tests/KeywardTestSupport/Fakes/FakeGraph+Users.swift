import Foundation

extension FakeGraph {
    typealias GraphError = (Int, String, String) -> FakeResponse

    static let insufficientPrivileges = "Insufficient privileges to complete the operation."
    static let complexityMessage =
        "The specified password does not comply with password complexity requirements. Please provide a different password."

    func listUsers(_ request: FakeRequest, state: State, error: GraphError) -> FakeResponse {
        guard !state.permissions.isDisjoint(with: ["User.Read.All", "User.ReadWrite.All"]) else {
            return error(403, "Authorization_RequestDenied", Self.insufficientPrivileges)
        }
        let top = Int(request.query["$top"] ?? "") ?? 100
        let users = state.users.values.sorted { $0.id < $1.id }.prefix(top)
        return .json(200, ["value": users.map { Self.json($0, select: request.query["$select"]) }])
    }

    func createUser(_ request: FakeRequest, state: inout State, error: GraphError) -> FakeResponse {
        guard !state.permissions.isDisjoint(with: ["User.Create", "User.ReadWrite.All"]) else {
            return error(403, "Authorization_RequestDenied", Self.insufficientPrivileges)
        }
        guard request.header("content-type")?.hasPrefix("application/json") == true, let body = request.json else {
            return error(400, "BadRequest", "Unable to read JSON request payload.")
        }
        guard body["accountEnabled"] is Bool else {
            return error(400, "Request_BadRequest", "Invalid value specified for property 'accountEnabled' of resource 'User'.")
        }
        for name in ["displayName", "mailNickname", "userPrincipalName"] {
            guard let text = body[name] as? String, !text.isEmpty else {
                return error(400, "Request_BadRequest", "Invalid value specified for property '\(name)' of resource 'User'.")
            }
        }
        guard let profile = body["passwordProfile"] as? [String: Any], let password = profile["password"] as? String else {
            return error(400, "Request_BadRequest", "Invalid value specified for property 'passwordProfile' of resource 'User'.")
        }
        let upn = body["userPrincipalName"] as? String ?? ""
        guard upn.contains("@") else {
            return error(400, "Request_BadRequest", "Property userPrincipalName is invalid.")
        }
        guard FakeComplexity.accepts(password) else {
            return error(400, "Request_BadRequest", Self.complexityMessage)
        }
        guard Self.find(upn, in: state.users) == nil else {
            return error(
                400, "Request_BadRequest", "Another object with the same value for property userPrincipalName already exists.")
        }
        var user = User(
            id: UUID().uuidString.lowercased(), properties: [:],
            forceChangePasswordNextSignIn: profile["forceChangePasswordNextSignIn"] as? Bool ?? true,
            password: .hash(password))
        Self.apply(body, to: &user)
        state.users[user.id] = user
        return .json(201, Self.json(user, select: nil))
    }

    func readUser(_ user: User, _ request: FakeRequest, state: State, error: GraphError) -> FakeResponse {
        guard !state.permissions.isDisjoint(with: ["User.Read.All", "User.ReadWrite.All"]) else {
            return error(403, "Authorization_RequestDenied", Self.insufficientPrivileges)
        }
        return .json(200, Self.json(user, select: request.query["$select"]))
    }

    func updateUser(_ user: User, _ request: FakeRequest, state: inout State, error: GraphError) -> FakeResponse {
        guard let body = request.json else {
            return error(400, "BadRequest", "Unable to read JSON request payload.")
        }
        var updated = user
        if let profile = body["passwordProfile"] as? [String: Any] {
            guard let password = profile["password"] as? String else {
                // Graph's quirk (microsoft-graph-docs #4267): 204, and nothing changes.
                state.profileWithoutPasswordPatches += 1
                return FakeResponse(status: 204)
            }
            guard state.permissions.contains("User-PasswordProfile.ReadWrite.All") else {
                return error(403, "Authorization_RequestDenied", Self.insufficientPrivileges)
            }
            guard FakeComplexity.accepts(password) else {
                return error(400, "Request_BadRequest", Self.complexityMessage)
            }
            updated.password = .hash(password)
            updated.forceChangePasswordNextSignIn = profile["forceChangePasswordNextSignIn"] as? Bool ?? true
        }
        if body.keys.contains(where: { $0 != "passwordProfile" }) && !state.permissions.contains("User.ReadWrite.All") {
            return error(403, "Authorization_RequestDenied", Self.insufficientPrivileges)
        }
        Self.apply(body, to: &updated)
        state.users[user.id] = updated
        return FakeResponse(status: 204)
    }

    func deleteUser(_ user: User, state: inout State, error: GraphError) -> FakeResponse {
        guard state.permissions.contains("User.ReadWrite.All") else {
            return error(403, "Authorization_RequestDenied", Self.insufficientPrivileges)
        }
        state.users[user.id] = nil
        return FakeResponse(status: 204)
    }

    /// Sets the body's properties (strings, booleans as `true`/`false`, null clears) on `user`.
    private static func apply(_ body: [String: Any], to user: inout User) {
        for (name, value) in body where name != "passwordProfile" {
            switch value {
            case let flag as Bool: user.properties[name] = flag ? "true" : "false"
            case let text as String: user.properties[name] = text
            default: user.properties[name] = nil
            }
        }
    }

    /// The user as Graph returns it: `id` and the selected properties
    /// (`$select`), or all of them; never the password.
    static func json(_ user: User, select: String?) -> [String: Any] {
        var object: [String: Any] = ["id": user.id]
        let names = select.map { $0.split(separator: ",").map(String.init) } ?? Array(user.properties.keys)
        for name in names where name != "id" {
            guard let value = user.properties[name] else { continue }
            object[name] = value == "true" || value == "false" ? (value == "true") as Any : value as Any
        }
        return object
    }
}
