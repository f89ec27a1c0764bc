import Foundation

extension FakeServiceNow {
    /// `GET`: the records matching `sysparm_query` (`field=value` joined by
    /// `^`, compared without case), at most `sysparm_limit`.
    func list(_ request: FakeRequest, state: State) -> FakeResponse {
        let conditions = (request.query["sysparm_query"] ?? "").split(separator: "^").compactMap { condition in
            let parts = condition.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        let limit = Int(request.query["sysparm_limit"] ?? "") ?? 10_000
        let matching = state.users.values.sorted { $0.sysID < $1.sysID }.filter { record in
            conditions.allSatisfy { record.fields[$0.0]?.lowercased() == $0.1.lowercased() }
        }
        return .json(200, ["result": matching.prefix(limit).map { Self.json($0, request) }])
    }

    /// `POST`: a new record; a duplicate `user_name` is refused as the
    /// table's unique index refuses it.
    func insert(_ request: FakeRequest, state: inout State) -> FakeResponse {
        guard request.header("content-type")?.hasPrefix("application/json") == true, let body = request.json else {
            return Self.error(400, "Exception while reading request", "The payload is not valid JSON.")
        }
        let userName = body["user_name"] as? String ?? ""
        if !userName.isEmpty, state.users.values.contains(where: { $0.fields["user_name"]?.lowercased() == userName.lowercased() }) {
            return Self.error(403, "Operation Failed", "Error during insert of \(table) (\(userName))")
        }
        var record = UserRecord(sysID: Self.newSysID(), fields: ["active": "true", "locked_out": "false"])
        Self.apply(body, request, to: &record)
        state.users[record.sysID] = record
        return .json(201, ["result": Self.json(record, request)])
    }

    /// `PATCH`: changes the record's fields.
    func update(_ sysID: String, _ request: FakeRequest, state: inout State) -> FakeResponse {
        guard var record = state.users[sysID] else { return Self.noRecord }
        guard let body = request.json else {
            return Self.error(400, "Exception while reading request", "The payload is not valid JSON.")
        }
        Self.apply(body, request, to: &record)
        state.users[sysID] = record
        return .json(200, ["result": Self.json(record, request)])
    }

    /// Sets the body's fields; `user_password` is hashed only with
    /// `sysparm_input_display_value=true`.
    private static func apply(_ body: [String: Any], _ request: FakeRequest, to record: inout UserRecord) {
        for (name, value) in body {
            let text = (value as? String) ?? (value as? Bool).map { $0 ? "true" : "false" } ?? "\(value)"
            if name == "user_password" {
                record.password = request.query["sysparm_input_display_value"] == "true" ? .hash(text) : .unusable
            } else {
                record.fields[name] = text
            }
        }
    }

    /// The record with the fields `sysparm_fields` names, or all of them
    /// and `user_password` as the instance stores it (a hash, never the text).
    private static func json(_ record: UserRecord, _ request: FakeRequest) -> [String: Any] {
        var all = record.fields
        all["sys_id"] = record.sysID
        all["user_password"] = record.password.map { _ in "$pbkdf2-fake$" + String(record.sysID.prefix(12)) } ?? ""
        guard let fields = request.query["sysparm_fields"] else { return all }
        var selected: [String: Any] = [:]
        for name in fields.split(separator: ",").map(String.init) { selected[name] = all[name] ?? "" }
        return selected
    }
}
