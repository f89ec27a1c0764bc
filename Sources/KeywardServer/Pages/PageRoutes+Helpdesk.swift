import Foundation
import Hummingbird
import KeywardCore
import KeywardEngine
import KeywardStore

/// The helpdesk page: a person's accounts with the buttons each system's
/// capabilities allow.
extension PageRoutes {
    /// What a helpdesk button does.
    enum HelpdeskAction: String, CaseIterable {
        case initialize
        case reset
        case unlock

        /// The form's action path.
        var path: String { "/helpdesk/\(rawValue)" }
    }

    /// The session of a helpdesk request, or a refusal: a page is sent to
    /// the sign-in.
    func requireSession(_ request: Request) async throws(PageRefusal) -> SessionStore.Session {
        guard let session = await currentSession(request) else {
            throw PageRefusal(response: PageResponse.redirect(to: "/helpdesk/login"))
        }
        return session
    }

    /// `GET /helpdesk?user=NAME`: the search form and, for a known person,
    /// one row per enabled system.
    func showHelpdesk(_ request: Request) async throws -> Response {
        let session = try await requireSession(request)
        var values = sessionBar(session)
        values["mail"] = dependencies.desk.notifier != nil
        let user = (request.uri.queryParameters.get("user") ?? "").trimmingCharacters(in: .whitespaces)
        values["user"] = user
        if !user.isEmpty {
            if let found = try await dependencies.store.identityAndAccounts(username: user) {
                values["person"] = person(found.0, accounts: found.1, session: session)
            } else {
                values["notFound"] = "Keyward knows nobody with the username \(user)."
            }
        }
        return try page("helpdesk", title: "Helpdesk", values)
    }

    /// The person's block: name, address, and a row per enabled system.
    private func person(_ identity: Identity, accounts: [AccountRecord], session: SessionStore.Session) -> [String: Any] {
        let name = [identity.givenName, identity.familyName].compactMap { $0 }.joined(separator: " ")
        var values: [String: Any] = ["username": identity.username, "name": name.isEmpty ? identity.username : name]
        if let email = identity.email { values["email"] = email }
        values["mail"] = dependencies.desk.notifier != nil
        values["rows"] = dependencies.systems.filter(\.definition.enabled).map { system -> [String: Any] in
            let account = accounts.first { $0.system == system.name }
            var row: [String: Any] = [
                "system": system.name, "id": Self.identifier(system.name), "uid": account?.uid ?? "—",
                "state": Self.accountState(account),
            ]
            row["actions"] = buttons(for: system, account: account).map { button -> [String: Any] in
                var values: [String: Any] = [
                    "action": button.action.path, "label": button.label, "value": button.value,
                    "username": identity.username, "system": system.name,
                    "csrf": csrf.token(binding: session.id, action: button.action.path),
                ]
                if let mode = button.mode { values["mode"] = mode.rawValue }
                if button.action == .reset { values["mustChange"] = true }
                return values
            }
            return row
        }
        return values
    }

    /// One button of a row.
    struct HelpdeskButton: Equatable {
        var action: HelpdeskAction
        var mode: PasswordDesk.InitializationMode?
        var label: String
        /// The button's value (tells the buttons apart in tests and logs).
        var value: String
    }

    /// The buttons the system's capabilities allow for the account: an
    /// account to make (initialize, one-way or two-way, which needs mail),
    /// or one that exists (reset, unlock).
    func buttons(for system: TargetSystem, account: AccountRecord?) -> [HelpdeskButton] {
        let operations = system.operations
        var buttons: [HelpdeskButton] = []
        if account == nil || account?.state == .failed {
            if operations.contains(.initialize), dependencies.desk.notifier != nil {
                buttons.append(HelpdeskButton(action: .initialize, mode: .oneWay, label: "Initialize (one-way: mail a password)", value: "initialize-one-way"))
                buttons.append(HelpdeskButton(action: .initialize, mode: .twoWay, label: "Initialize (two-way: mail a link)", value: "initialize-two-way"))
            }
            return buttons
        }
        if operations.contains(.reset) {
            buttons.append(HelpdeskButton(action: .reset, mode: nil, label: "Reset password", value: "reset"))
        }
        if operations.contains(.unlock) {
            buttons.append(HelpdeskButton(action: .unlock, mode: nil, label: "Unlock", value: "unlock"))
        }
        return buttons
    }

    /// An account's state in words.
    static func accountState(_ account: AccountRecord?) -> String {
        guard let account else { return "No account" }
        var words = [account.state == .active ? "Active" : account.state == .pending ? "Being created" : "Creation failed"]
        if account.locked == true { words.append("locked") }
        if account.mustChange == true { words.append("must change password") }
        return words.joined(separator: ", ")
    }

    /// `/helpdesk?user=NAME`.
    static func helpdeskPath(user: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "/helpdesk?user=" + (user.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }
}
