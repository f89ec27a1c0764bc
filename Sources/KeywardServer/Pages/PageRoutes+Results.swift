import Hummingbird
import KeywardStore

/// The page after a request: what each system did with it.
extension PageRoutes {
    /// The result page of a request whose operations are `outcomes`.
    ///
    /// - Parameters:
    ///   - done: the message when every operation executed.
    ///   - pending: the message when some are still queued (none failed).
    ///   - failed: the message when some failed.
    ///   - notes: paragraphs under the message.
    ///   - extra: more values (the helpdesk's session bar).
    func resultPage(
        title: String, outcomes: [QueuedOperation], requestID: String, done: String, pending: String, failed: String,
        notes: [String] = [], back: (href: String, text: String)? = nil, extra: [String: Any] = [:]
    ) throws(PageRefusal) -> Response {
        let anyFailed = outcomes.contains { $0.state == .failed || $0.state == .blocked || $0.state == .cancelled }
        let allDone = !outcomes.isEmpty && outcomes.allSatisfy { $0.state == .executed }
        var values = extra
        values["message"] = anyFailed ? failed : allDone ? done : pending
        values["kind"] = anyFailed ? "error" : allDone ? "success" : "info"
        values["notes"] = notes
        values["requestID"] = requestID
        values["hasOutcomes"] = !outcomes.isEmpty
        values["outcomes"] = outcomes.map { operation -> [String: Any] in
            [
                "system": operation.system, "action": operation.action.rawValue, "state": operation.state.rawValue,
                "stateText": Self.stateText(operation.state), "details": operation.result?.message ?? "",
            ]
        }
        if let back { values["back"] = ["href": back.href, "text": back.text] }
        return try page("result", title: title, values)
    }

    /// An operation's state in words.
    static func stateText(_ state: OperationState) -> String {
        switch state {
        case .created: "Queued"
        case .running: "Running"
        case .executed: "Done"
        case .failed: "Failed"
        case .retrying: "Waiting to retry"
        case .blocked: "Failed (gave up after retries)"
        case .cancelled: "Cancelled"
        }
    }
}
