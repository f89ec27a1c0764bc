import Foundation
import Hummingbird
import KeywardCore
import KeywardEngine

/// The self-service change page.
extension PageRoutes {
    /// `GET /change`: username, current password, new and confirm, and the
    /// systems that support change (none ticked: all of the person's).
    func showChange(_ request: Request) throws(PageRefusal) -> Response {
        let (binding, cookie) = formBinding(request)
        return try changeForm(binding: binding, cookies: cookie.map { [$0] } ?? [])
    }

    /// `POST /change`: queues the change through the desk as `self:USERNAME`,
    /// then waits briefly to show what each system did (each verifies the
    /// current password when its operation runs).
    func change(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let binding = csrf.cookieBinding(request)
        let form = try await acceptForm(request, action: "/change", binding: binding, secretFields: ["current", "new", "confirm"])
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let chosen = form.values("system").filter { name in changeSystems.contains { $0.name == name } }
        let redo = { (errors: [FieldError], status: HTTPResponse.Status) throws(PageRefusal) -> Response in
            try changeForm(binding: binding ?? "", username: username, chosen: chosen, errors: errors, status: status)
        }
        guard !username.isEmpty else {
            return try redo([FieldError(field: "username", message: "Enter your username")], .unprocessableContent)
        }
        try await takeAttempt(context, account: username)
        guard let current = form.secret("current"), !current.isEmpty else {
            return try redo([FieldError(field: "current", message: "Enter your current password")], .unprocessableContent)
        }
        guard let new = form.secret("new"), !new.isEmpty else {
            return try redo([FieldError(field: "new", message: "Enter a new password")], .unprocessableContent)
        }
        guard let confirm = form.secret("confirm"), confirm == new else {
            return try redo(
                [FieldError(field: "confirm", message: "The two new passwords are not the same; type them again")],
                .unprocessableContent)
        }
        let receipt: ProvisioningService.Receipt
        do {
            receipt = try await dependencies.desk.acting(as: "self:\(username)")
                .change(username: username, systems: chosen.isEmpty ? nil : chosen, current: current, new: new)
        } catch where error.kind == .planning {
            return try redo([FieldError(field: "new", message: Self.sentence(error.message))], .unprocessableContent)
        } catch where error.kind == .unknownUser {
            // The same words whether or not the person exists.
            return try redo(
                [FieldError(field: "username", message: "No password of that username can be changed here; check the username")],
                .unprocessableContent)
        } catch {
            return try redo([FieldError(field: nil, message: Self.sentence(error.message))], Self.status(of: error))
        }
        let outcomes = await OperationWatch(store: dependencies.store).outcomes(of: receipt.operationIDs)
        return try resultPage(
            title: "Password change", outcomes: outcomes, requestID: receipt.requestID,
            done: "Your password was changed on every system.",
            pending: "Your request is queued; the table shows where each system is.",
            failed: "Some systems did not change your password; the table says why.",
            back: ("/change", "Change another password"))
    }

    /// The enabled systems that support change, in configuration order.
    var changeSystems: [TargetSystem] {
        dependencies.systems.filter { $0.definition.enabled && $0.operations.contains(.change) }
    }

    private func changeForm(
        binding: String, username: String = "", chosen: [String] = [], errors: [FieldError] = [],
        status: HTTPResponse.Status = .ok, cookies: [Cookie] = []
    ) throws(PageRefusal) -> Response {
        var values = FieldError.summary(errors)
        values["username"] = username
        values["csrf"] = csrf.token(binding: binding, action: "/change")
        values["hint"] = hint(systems: changeSystems.map(\.name))
        values["hasSystems"] = !changeSystems.isEmpty
        values["systems"] = changeSystems.map { system -> [String: Any] in
            ["name": system.name, "id": Self.identifier(system.name), "checked": chosen.contains(system.name)]
        }
        for error in errors {
            if let field = error.field { values["\(field)Error"] = error.message }
        }
        return try page("change", title: "Change your password", values, status: status, cookies: cookies)
    }
}
