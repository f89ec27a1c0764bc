import Foundation
public import KeywardConnectors

/// A plugin's answer to one request: a result, or an error the plugin
/// reports (`{"id":N,"error":{"kind":…,"message":…,"retryAfter":…}}`).
public enum PluginReply: Sendable {
    /// `result`: an object (`{}` for operations that return nothing).
    case result(JSONValue)
    /// `error`: what the plugin reports.
    case error(PluginErrorReport)

    /// Decodes `line` as the answer to request `id`.
    static func decode(_ line: [UInt8], id: Int) throws(PluginFailure) -> PluginReply {
        let message = try JSONValue.object(from: line)
        guard let received = message["id"] else {
            throw PluginFailure(reason: .wrongID(expected: id, received: "none"))
        }
        guard received.integer == id else {
            throw PluginFailure(reason: .wrongID(expected: id, received: received.integer.map(String.init) ?? "that is not a number"))
        }
        switch (message["result"], message["error"]) {
        case (let result?, nil):
            guard case .object = result else { throw PluginFailure(reason: .malformed("has a `result` that is not an object")) }
            return .result(result)
        case (nil, let error?):
            return .error(try PluginErrorReport(error))
        case (nil, nil):
            throw PluginFailure(reason: .malformed("has neither `result` nor `error`"))
        case (.some, .some):
            throw PluginFailure(reason: .malformed("has both `result` and `error`"))
        }
    }
}

/// An error a plugin reports: its kind (one of ``ConnectorError/Kind``'s
/// names), its message, and for `throttled` how long to wait.
public struct PluginErrorReport: Sendable, Equatable {
    /// The kind as the plugin wrote it.
    public var kindName: String
    /// The message, cleaned: control characters dropped, at most 500 characters.
    public var message: String
    /// `retryAfter`, in seconds.
    public var retryAfter: Double?

    /// The kind, `failed` for a name the protocol does not have.
    public var kind: ConnectorError.Kind { ConnectorError.Kind(rawValue: kindName) ?? .failed }

    init(_ value: JSONValue) throws(PluginFailure) {
        guard case .object = value, let kind = value["kind"]?.string else {
            throw PluginFailure(reason: .malformed("has an `error` without a `kind` string"))
        }
        kindName = kind
        message = Self.clean(value["message"]?.string ?? "")
        switch value["retryAfter"] {
        case nil, .null?: retryAfter = nil
        case .number(let seconds)? where seconds >= 0 && seconds.isFinite: retryAfter = seconds
        default: throw PluginFailure(reason: .malformed("has a `retryAfter` that is not a number of seconds"))
        }
    }

    /// The report as a connector error for `operation` on `subject`.
    func connectorError(_ subject: String, operation: String) -> ConnectorError {
        let known = ConnectorError.Kind(rawValue: kindName) != nil
        let said = message.isEmpty ? "no message" : message
        let unknown = known ? "" : " (unknown error kind '\(Self.clean(String(kindName.prefix(40))))')"
        return ConnectorError(
            kind, "\(subject): \(operation) failed\(unknown): the plugin says: \(said)",
            retryAfter: retryAfter.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) })
    }

    /// Printable text of at most 500 characters.
    static func clean(_ text: String) -> String {
        let printable = text.unicodeScalars.filter { !$0.properties.generalCategory.isControl }
        var cleaned = String(String.UnicodeScalarView(printable))
        if cleaned.count > 500 { cleaned = String(cleaned.prefix(500)) + "…" }
        return cleaned
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool {
        switch self {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned: true
        default: false
        }
    }
}

extension JSONValue {
    /// Decodes one line as a JSON object.
    static func object(from line: [UInt8]) throws(PluginFailure) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        } catch {
            throw PluginFailure(reason: .notJSON(bytes: line.count))
        }
        guard case .object = value else { throw PluginFailure(reason: .notJSON(bytes: line.count)) }
        return value
    }
}
