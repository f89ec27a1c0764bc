import Hummingbird
import KeywardCore
import KeywardEngine
import KeywardStore

/// What the helpdesk's buttons do: each a form post, through the desk as
/// `helpdesk:TOKENNAME`, answered with a result page.
extension PageRoutes {
    /// `POST /helpdesk/initialize|reset|unlock` (fields `user`, `system`,
    /// and `mode` or `mustChange`).
    func helpdeskAction(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        guard let action = HelpdeskAction(rawValue: try context.parameters.require("action")) else {
            return message(title: "Page not found", message: "There is no such helpdesk action.", status: .notFound)
        }
        let session = try await requireSession(request)
        let form = try await acceptForm(request, action: action.path, binding: session.id)
        try await takeAttempt(context, account: nil)
        let user = form["user"] ?? ""
        let system = form["system"] ?? ""
        let desk = dependencies.desk.acting(as: "helpdesk:\(session.client.name)")
        let back = (Self.helpdeskPath(user: user), "Back to \(user)'s accounts")
        let bar = sessionBar(session)
        do {
            switch action {
            case .initialize:
                let mode = PasswordDesk.InitializationMode(rawValue: form["mode"] ?? "") ?? .twoWay
                switch try await desk.initialize(username: user, system: system, mode: mode) {
                case .queued(let receipt):
                    return try await result(
                        "Account initialization", receipt, done: "\(user)'s account on \(system) is created.",
                        notes: ["The generated password is mailed to \(user) once the account works; this page never shows it."],
                        back: back, bar: bar)
                case .linkSent(let expiresAt):
                    return try page(
                        "result", title: "Set-password link sent",
                        bar.merging([
                            "message": "A set-password link for \(system) was mailed to \(user); it works until \(Self.time(expiresAt)).",
                            "kind": "success", "back": ["href": back.0, "text": back.1],
                        ]) { $1 })
                }
            case .reset:
                let mustChange: Bool? = form["mustChange"] == "on" ? true : nil
                let receipt = try await desk.reset(username: user, system: system, mustChange: mustChange)
                // Without mail the desk refused the reset above: its password would reach nobody.
                let mail = "The generated password is not shown here: it is mailed to \(user) once it is set."
                let notes = [mail] + (mustChange == true ? ["\(user) must change it at next sign-in where \(system) supports that."] : [])
                return try await result(
                    "Password reset", receipt, done: "\(user)'s password on \(system) was reset.", notes: notes, back: back,
                    bar: bar)
            case .unlock:
                let receipt = try await desk.unlock(username: user, system: system)
                return try await result(
                    "Unlock", receipt, done: "\(user)'s account on \(system) is unlocked.", notes: [], back: back, bar: bar)
            }
        } catch let error as ServiceError {
            var values = bar
            values["message"] = Self.sentence(error.message)
            values["kind"] = "error"
            values["notes"] = ["Nothing was changed."]
            values["back"] = ["href": back.0, "text": back.1]
            return try page("result", title: "Refused", values, status: Self.status(of: error))
        }
    }

    /// The result page of a helpdesk request, once its operations ran (or
    /// the short wait is over).
    private func result(
        _ title: String, _ receipt: ProvisioningService.Receipt, done: String, notes: [String],
        back: (String, String), bar: [String: Any]
    ) async throws(PageRefusal) -> Response {
        let outcomes = await OperationWatch(store: dependencies.store).outcomes(of: receipt.operationIDs)
        return try resultPage(
            title: title, outcomes: outcomes, requestID: receipt.requestID, done: done,
            pending: "The request is queued; the table shows where it is.",
            failed: "The system did not do it; the table says why.", notes: notes, back: back, extra: bar)
    }
}
