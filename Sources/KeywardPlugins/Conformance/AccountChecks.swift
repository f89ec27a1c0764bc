import KeywardConnectors
import KeywardCore

/// The checks on a throwaway account: create, get, update, setPassword,
/// changePassword (right, repeated, wrong), unlock and delete, each with
/// its error shape on a uid the plugin does not have.
struct AccountChecks {
    let run: ConformanceRun
    let schema: [AttributeSchema]?

    private var uid: String { run.suite.uid }
    private var ghost: String { run.suite.ghost }

    func all() async {
        guard run.declares(.create, for: "create") else { return }
        let attributes = required() + [password(run.suite.canary(1))]
        guard await run.expectResult("create", PluginRequest(.create, uid: uid, attributes: attributes, mustChange: false), detail: uid)
            != nil
        else { return }
        await run.expectError("create an existing uid", PluginRequest(.create, uid: uid, attributes: attributes), .alreadyExists)
        await get()
        await update()
        var current = run.suite.canary(1)
        if run.declares(.setPassword, for: "setPassword") {
            let new = run.suite.canary(2)
            let request = PluginRequest(.setPassword, uid: uid, attributes: [password(new)], mustChange: true)
            if await run.expectResult("setPassword", request) != nil { current = new }
            await run.expectError("setPassword of an unknown uid", PluginRequest(.setPassword, uid: ghost, attributes: [password(new)]), .notFound)
        }
        await change(from: current)
        if run.declares(.unlock, for: "unlock") {
            await run.expectResult("unlock (an account that is not locked)", PluginRequest(.unlock, uid: uid))
            await run.expectError("unlock of an unknown uid", PluginRequest(.unlock, uid: ghost), .notFound)
        }
        await delete()
    }

    /// The required attributes of the schema (not secrets), each with the uid as value.
    private func required() -> [ConnectorAttribute] {
        (schema ?? []).filter { $0.required && $0.creatable && $0.type != .guardedString }
            .map { ConnectorAttribute(name: $0.name, value: .plain(uid)) }
    }

    private func password(_ secret: GuardedString) -> ConnectorAttribute {
        ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(secret))
    }

    private func get() async {
        guard run.declares(.get, for: "get") else { return }
        let name = "get"
        let request = PluginRequest(.get, uid: uid)
        let answer = await run.ask(request)
        guard case .result(let value) = answer else {
            run.record(name, .failed, "expected a result, " + run.describe(answer, request))
            return
        }
        do throws(ConnectorError) {
            let account = try PluginResults.account(value, uid: uid, hiding: [], subject: run.subject)
            if account.uid != uid {
                run.record(name, .failed, "the answer names the uid '\(account.uid)'")
            } else if account.attributes.keys.contains(AttributeSchema.passwordName) {
                run.record(name, .failed, "the answer holds \(AttributeSchema.passwordName); a password is never read back")
            } else {
                let names = account.attributes.keys.sorted().joined(separator: ", ")
                run.record(name, .passed, "attributes: \(names.isEmpty ? "none" : names); locked: \(account.locked.map(String.init) ?? "not said")")
            }
        } catch {
            run.record(name, .failed, error.message)
        }
        await run.expectError("get of an unknown uid", PluginRequest(.get, uid: ghost), .notFound)
    }

    private func update() async {
        guard run.declares(.update, for: "update") else { return }
        let candidate = schema?.first { entry in
            entry.type == .string && entry.updatable && !entry.required && entry.name != AttributeSchema.passwordName
        }
        guard let candidate else {
            run.record("update", .skipped, "the schema has no optional, updatable string attribute to change")
            return
        }
        let value = "kw-conformance-updated"
        let attribute = ConnectorAttribute(name: candidate.name, value: .plain(value))
        guard await run.expectResult("update", PluginRequest(.update, uid: uid, attributes: [attribute]), detail: candidate.name) != nil
        else { return }
        if run.description?.operations.contains(.get) == true,
            case .result(let read) = await run.ask(PluginRequest(.get, uid: uid))
        {
            let seen = read["attributes"]?[candidate.name]?.scalarText
            run.record("get shows the update", seen == value ? .passed : .failed, seen == value ? candidate.name : "\(candidate.name) is \(seen ?? "absent")")
        }
        await run.expectError("update of an unknown uid", PluginRequest(.update, uid: ghost, attributes: [attribute]), .notFound)
    }

    /// A change with the right current password, the same change again (a
    /// retry after a crash: it must succeed), and one with a wrong current password.
    private func change(from current: GuardedString) async {
        guard run.declares(.changePassword, for: "changePassword") else { return }
        let new = run.suite.canary(3)
        func request(_ uid: String, _ current: GuardedString, _ new: GuardedString) -> PluginRequest {
            PluginRequest(
                .changePassword, uid: uid,
                attributes: [ConnectorAttribute(name: PluginProtocol.currentPasswordName, value: .secret(current)), password(new)])
        }
        await run.expectResult("changePassword with the right current password", request(uid, current, new))
        await run.expectResult("changePassword repeated after it was made (a retry)", request(uid, current, new))
        await run.expectError(
            "changePassword with a wrong current password", request(uid, run.suite.canary(9), run.suite.canary(4)),
            .credentialsRejected)
        await run.expectError("changePassword of an unknown uid", request(ghost, new, run.suite.canary(4)), .notFound)
    }

    private func delete() async {
        guard run.declares(.delete, for: "delete") else {
            run.record("cleanup", .skipped, "the throwaway account \(uid) stays: the plugin does not declare delete")
            return
        }
        guard await run.expectResult("delete", PluginRequest(.delete, uid: uid)) != nil else { return }
        if run.description?.operations.contains(.get) == true {
            await run.expectError("get after delete", PluginRequest(.get, uid: uid), .notFound)
        }
        await run.expectError("delete of an unknown uid", PluginRequest(.delete, uid: uid), .notFound)
    }
}
