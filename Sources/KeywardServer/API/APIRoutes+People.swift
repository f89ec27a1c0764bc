import Hummingbird
import KeywardCore
import KeywardEngine
import KeywardStore

/// The password operations on a person: initialize, change, reset, unlock,
/// and the person's accounts.
extension APIRoutes {
    /// `POST …/initialize` {system, mode}: 202 with the receipt (one-way) or
    /// the link's expiry (two-way). The one-way password is only mailed.
    func initialize(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let client = try context.require(.initialize)
        let username = try username(context)
        let body = try await body(request, allowed: ["system", "mode"])
        let system = try body.requiredString("system")
        let modeName = try body.string("mode") ?? PasswordDesk.InitializationMode.oneWay.rawValue
        guard let mode = PasswordDesk.InitializationMode(rawValue: modeName) else {
            throw APIError.badRequest("'mode' must be one-way or two-way")
        }
        let acting = desk(for: client)
        switch try await asAPI({ () async throws(ServiceError) in
            try await acting.initialize(username: username, system: system, mode: mode)
        }) {
        case .queued(let receipt):
            return try APIResponse.json(APIViews.Receipt(receipt), status: .accepted)
        case .linkSent(let expiresAt):
            return try APIResponse.json(APIViews.LinkSent(system: system, expiresAt: expiresAt), status: .accepted)
        }
    }

    /// `POST …/change` {systems?, currentPassword, newPassword}: 202.
    func change(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let client = try context.require(.change)
        let username = try username(context)
        let body = try await body(
            request, allowed: ["systems", "currentPassword", "newPassword"], secrets: ["currentPassword", "newPassword"])
        let systems = try body.strings("systems")
        let current = try body.requiredSecret("currentPassword")
        let new = try body.requiredSecret("newPassword")
        try await takeAttempt(context, username: username)
        let acting = desk(for: client)
        let receipt = try await asAPI { () async throws(ServiceError) in
            try await acting.change(username: username, systems: systems, current: current, new: new)
        }
        return try APIResponse.json(APIViews.Receipt(receipt), status: .accepted)
    }

    /// `POST …/reset` {system, password?, mustChange?}: 202. A generated
    /// password is never in the answer.
    func reset(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let client = try context.require(.reset)
        let username = try username(context)
        let body = try await body(request, allowed: ["system", "password", "mustChange"], secrets: ["password"])
        let system = try body.requiredString("system")
        let mustChange = try body.bool("mustChange")
        let password: PlanRequest.Password
        if let typed = try body.secret("password") {
            guard !typed.isEmpty else { throw APIError.badRequest("'password' must not be empty; leave it out to generate one") }
            try await takeAttempt(context, username: username)
            password = .chosen(typed)
        } else {
            password = .generate
        }
        let acting = desk(for: client)
        let receipt = try await asAPI { () async throws(ServiceError) in
            try await acting.reset(username: username, system: system, password: password, mustChange: mustChange)
        }
        return try APIResponse.json(APIViews.Receipt(receipt), status: .accepted)
    }

    /// `POST …/unlock` {system}: 202.
    func unlock(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let client = try context.require(.unlock)
        let username = try username(context)
        let system = try await body(request, allowed: ["system"]).requiredString("system")
        let acting = desk(for: client)
        let receipt = try await asAPI { () async throws(ServiceError) in
            try await acting.unlock(username: username, system: system)
        }
        return try APIResponse.json(APIViews.Receipt(receipt), status: .accepted)
    }

    /// `GET …/accounts`: the person's accounts (any operation scope or `queue:read`).
    func accounts(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        guard let client = context.client else { throw APIError.unauthorized("an API token is required") }
        let readers: Set<APIScope> = [.initialize, .change, .reset, .unlock, .queueRead]
        guard !client.scopes.isDisjoint(with: readers) else { throw APIError.forbidden(missing: .queueRead) }
        let username = try username(context)
        let found = try await dependencies.store.identityAndAccounts(username: username)
        guard let (_, records) = found else {
            throw APIError(.notFound, kind: ServiceError.Kind.unknownUser.rawValue, "no person is named '\(username)'")
        }
        let systems = Dictionary(dependencies.systems.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let accounts = records.sorted { $0.system < $1.system }.map { record in
            APIViews.Account(
                system: record.system, uid: record.uid, state: record.state.rawValue, locked: record.locked,
                mustChange: record.mustChange, updatedAt: record.updatedAt,
                operations: PasswordOperation.allCases.filter { systems[record.system]?.operations.contains($0) ?? false }
                    .map(\.rawValue))
        }
        return try APIResponse.json(APIViews.Accounts(username: username, accounts: accounts))
    }
}
