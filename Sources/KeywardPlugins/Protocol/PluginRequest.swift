public import KeywardConnectors
import KeywardCore

/// One request to a plugin: `{"id":N,"op":…,"uid":…,"attributes":[…],"options":{…}}`.
///
/// Attribute values travel as `{"name":…,"value":"…"}` (or `null`); a
/// secret travels only as `{"name":…,"secret":"…"}`, written straight from
/// its guarded memory into a buffer that is wiped after the write.
public struct PluginRequest: Sendable {
    /// The operation.
    public var operation: PluginOperation
    /// The account, for every operation but `schema` and `test`.
    public var uid: String?
    /// The attributes, secret ones included.
    public var attributes: [ConnectorAttribute]
    /// `options.mustChange`, when Keyward has a say.
    public var mustChange: Bool?

    /// Creates a request.
    public init(_ operation: PluginOperation, uid: String? = nil, attributes: [ConnectorAttribute] = [], mustChange: Bool? = nil) {
        self.operation = operation
        self.uid = uid
        self.attributes = attributes
        self.mustChange = mustChange
    }

    /// The secrets the request carries: no answer may contain one.
    var secrets: [GuardedString] {
        attributes.compactMap { attribute in
            if case .secret(let secret) = attribute.value { secret } else { nil }
        }
    }

    /// A secret that is not UTF-8 text (a script that returned raw bytes).
    struct UnencodableSecret: Error {
        /// The attribute that holds it.
        let attribute: String
    }

    /// Appends the request as one line (with its newline) to `buffer`.
    func encode(id: Int, into buffer: WipedBuffer) throws(UnencodableSecret) {
        buffer.append(raw: "{\"id\":\(id),\"op\":")
        buffer.appendJSON(operation.rawValue)
        if let uid {
            buffer.append(raw: ",\"uid\":")
            buffer.appendJSON(uid)
        }
        if !attributes.isEmpty {
            buffer.append(raw: ",\"attributes\":[")
            for (index, attribute) in attributes.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                try encode(attribute, into: buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        }
        if let mustChange {
            buffer.append(raw: ",\"options\":{\"mustChange\":\(mustChange)}")
        }
        buffer.append(raw: "}\n")
    }

    private func encode(_ attribute: ConnectorAttribute, into buffer: WipedBuffer) throws(UnencodableSecret) {
        buffer.append(raw: "{\"name\":")
        buffer.appendJSON(attribute.name)
        switch attribute.value {
        case nil:
            buffer.append(raw: ",\"value\":null")
        case .plain(let text):
            buffer.append(raw: ",\"value\":")
            buffer.appendJSON(text)
        case .secret(let secret):
            buffer.append(raw: ",\"secret\":")
            do {
                try buffer.appendJSON(secret: secret)
            } catch {
                throw UnencodableSecret(attribute: attribute.name)
            }
        }
        buffer.append(UInt8(ascii: "}"))
    }
}
