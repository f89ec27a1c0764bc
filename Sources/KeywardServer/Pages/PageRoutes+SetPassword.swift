import Crypto
import Foundation
import Hummingbird
import KeywardCore
import KeywardEngine
import KeywardStore

/// Two-way initialization: the page a mailed link opens.
extension PageRoutes {
    /// `GET /set-password/TOKEN`: the form, or a page saying why the link
    /// does not work (404 unknown; 410 used, replaced or expired).
    func showLink(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let record = try await openLink(token, context)
        let (binding, cookie) = formBinding(request)
        return try await linkForm(token: token, record: record, binding: binding, cookies: cookie.map { [$0] } ?? [])
    }

    /// `POST /set-password/TOKEN`: new and confirm; on success the account
    /// is created (or reset) with the password and the link is used up; a
    /// policy refusal shows the form again with the link still usable.
    func useLink(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let action = Self.linkPath(token)
        let binding = csrf.cookieBinding(request)
        let form = try await acceptForm(request, action: action, binding: binding, secretFields: ["new", "confirm"])
        let record = try await openLink(token, context)
        try await takeAttempt(context, account: record.username)
        let bound = binding ?? ""

        guard let new = form.secret("new"), !new.isEmpty else {
            return try await linkForm(
                token: token, record: record, binding: bound,
                errors: [FieldError(field: "new", message: "Enter a new password")], status: .unprocessableContent)
        }
        guard let confirm = form.secret("confirm"), confirm == new else {
            return try await linkForm(
                token: token, record: record, binding: bound,
                errors: [FieldError(field: "confirm", message: "The two passwords are not the same; type them again")],
                status: .unprocessableContent)
        }
        let receipt: ProvisioningService.Receipt
        do {
            receipt = try await dependencies.desk.acting(as: "link").completeTwoWay(token: token, password: new)
        } catch where error.kind == .planning {
            return try await linkForm(
                token: token, record: record, binding: bound,
                errors: [FieldError(field: "new", message: Self.sentence(error.message))], status: .unprocessableContent)
        } catch where error.kind == .link {
            return await linkProblem(token, error)
        } catch {
            return message(
                title: "Your password was not set", message: Self.sentence(error.message),
                advice: "Try again later; if it keeps failing, contact your helpdesk.", status: Self.status(of: error))
        }
        let outcomes = await OperationWatch(store: dependencies.store).outcomes(of: receipt.operationIDs)
        if let failed = outcomes.first(where: { $0.state == .failed || $0.state == .blocked }) {
            return message(
                title: "Your password was not set",
                message: "\(record.system) refused it: \(failed.result?.message ?? "no reason given").",
                advice: "This link is used up; ask your helpdesk for a new one.", status: .ok)
        }
        let executed = !outcomes.isEmpty && outcomes.allSatisfy { $0.state == .executed }
        return try page(
            "set-password-done", title: "Your password is set",
            ["system": record.system, "executed": executed, "requestID": receipt.requestID])
    }

    /// The path of a link's page (also its form's action).
    static func linkPath(_ token: String) -> String { "/set-password/" + token }

    /// The link's record when it still works; otherwise the refusal page.
    /// An unknown link also takes an attempt from the client (someone
    /// guessing links soon waits).
    private func openLink(_ token: String, _ context: KeywardRequestContext) async throws -> SetPasswordToken {
        do {
            return try await dependencies.desk.openLink(token: token)
        } catch where error.kind == .link {
            if (try? await dependencies.store.setPasswordToken(hash: Data(SHA256.hash(data: Data(token.utf8))))) == nil {
                try await takeAttempt(context, account: nil)
            }
            throw PageRefusal(response: await linkProblem(token, error))
        }
    }

    /// The page of a link that does not work: 404 when Keyward never issued
    /// it, 410 when it was used, replaced or expired.
    private func linkProblem(_ token: String, _ error: ServiceError) async -> Response {
        let known = (try? await dependencies.store.setPasswordToken(hash: Data(SHA256.hash(data: Data(token.utf8))))) != nil
        return message(
            title: "This link does not work", message: Self.sentence(error.message),
            advice: "Ask your helpdesk (or whoever sent you the link) for a new one. If you have set your password "
                + "already, sign in with it; you can change it on the change page.",
            status: known ? .gone : .notFound, back: ("/change", "Change your password"))
    }

    private func linkForm(
        token: String, record: SetPasswordToken, binding: String, errors: [FieldError] = [],
        status: HTTPResponse.Status = .ok, cookies: [Cookie] = []
    ) async throws(PageRefusal) -> Response {
        let identity = try? await dependencies.store.identity(username: record.username)
        let name = [identity?.givenName, identity?.familyName].compactMap { $0 }.joined(separator: " ")
        var values = FieldError.summary(errors)
        values["person"] = name.isEmpty ? record.username : name
        values["username"] = record.username
        values["system"] = record.system
        values["expires"] = Self.time(record.expiresAt)
        values["action"] = Self.linkPath(token)
        values["csrf"] = csrf.token(binding: binding, action: Self.linkPath(token))
        values["hint"] = hint(systems: [record.system])
        for error in errors {
            if let field = error.field { values["\(field)Error"] = error.message }
        }
        return try page("set-password", title: "Set your password", values, status: status, cookies: cookies)
    }
}
