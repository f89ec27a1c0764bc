public import KeywardCore
import KeywardConnectors

/// What a plugin says about itself in its hello: its name and version, the
/// protocol version it speaks, its password capabilities and the
/// operations it answers.
public struct PluginDescription: Sendable, Equatable {
    /// The plugin's name.
    public var name: String
    /// The plugin's own version, when it gives one.
    public var version: String?
    /// The protocol version it speaks.
    public var protocolVersion: Int
    /// Its password capabilities (names Keyward does not know are left out).
    public var capabilities: Set<PasswordOperation>
    /// The operations it answers (names Keyward does not know are left out).
    public var operations: Set<PluginOperation>
    /// Capability and operation names Keyward does not know (the
    /// conformance suite reports them).
    public var unknownNames: [String]

    /// Reads a hello answer.
    /// - Throws: a ``PluginFailure`` for a wrong shape or version, for an
    ///   error answer, and for a capability whose operation is not declared.
    init(hello message: JSONValue) throws(PluginFailure) {
        guard message["type"]?.string == "hello" else {
            throw PluginFailure(reason: .malformed("is not a hello (`\"type\":\"hello\"`)"))
        }
        if let error = message["error"] {
            let report = try PluginErrorReport(error)
            throw PluginFailure(reason: .refused(kind: report.kind == .failed ? .configuration : report.kind, message: report.message))
        }
        guard let version = message["protocol"]?.integer else {
            throw PluginFailure(reason: .malformed("has no `protocol` version number"))
        }
        guard version == PluginProtocol.version else { throw PluginFailure(reason: .versionMismatch(plugin: version)) }
        guard let name = message["name"]?.string, !name.isEmpty else {
            throw PluginFailure(reason: .malformed("has no `name`"))
        }
        guard let capabilityNames = message["capabilities"]?.strings, let operationNames = message["operations"]?.strings else {
            throw PluginFailure(reason: .malformed("needs `capabilities` and `operations`, each a list of names"))
        }
        self.name = PluginErrorReport.clean(String(name.prefix(100)))
        self.version = message["version"]?.scalarText.map { PluginErrorReport.clean(String($0.prefix(40))) }
        protocolVersion = version
        capabilities = Set(capabilityNames.compactMap(PasswordOperation.init(rawValue:)))
        let known = Set(PluginOperation.all.map(\.rawValue))
        operations = Set(operationNames.filter(known.contains).map(PluginOperation.init(rawValue:)))
        unknownNames = (capabilityNames.filter { PasswordOperation(rawValue: $0) == nil } + operationNames.filter { !known.contains($0) })
            .map { PluginErrorReport.clean(String($0.prefix(40))) }
        for capability in PasswordOperation.allCases where capabilities.contains(capability) {
            let needed = PluginProtocol.operation(for: capability)
            if !operations.contains(needed) {
                throw PluginFailure(
                    reason: .malformed("declares the capability `\(capability.rawValue)` but not the operation `\(needed)` it needs"))
            }
        }
    }

    /// `NAME VERSION`, for messages.
    public var title: String { version.map { "\(name) \($0)" } ?? name }
}

/// Keyward's hello: `{"type":"hello","protocol":1,"client":"keyward","system":…,"settings":{…}}`.
struct PluginHello: Sendable {
    /// The system's name (`plugin-test` for the conformance suite).
    var system: String
    /// The plugin's own settings from the connector file (plain, never secret).
    var settings: [String: String]

    /// The line, with its newline.
    func encode(into buffer: WipedBuffer) {
        buffer.append(raw: "{\"type\":\"hello\",\"protocol\":\(PluginProtocol.version),\"client\":\"keyward\",\"system\":")
        buffer.appendJSON(system)
        buffer.append(raw: ",\"settings\":{")
        for (index, key) in settings.keys.sorted().enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.appendJSON(key)
            buffer.append(UInt8(ascii: ":"))
            buffer.appendJSON(settings[key] ?? "")
        }
        buffer.append(raw: "}}\n")
    }
}
