/// The non-secret facts a script sees as the read-only table `context`.
///
/// `context.system`, `context.attribute`, `context.operation` and
/// `context.uid`, plus the account's non-secret attributes under their own
/// names (`context.mail`). The four fixed keys win over an attribute of the
/// same name.
public struct ScriptContext: Sendable, Equatable {
    /// Why a password is being transformed.
    public enum Operation: String, Sendable, CaseIterable {
        case create, change, reset, initialize
    }

    /// The target system's name.
    public let system: String?
    /// The attribute being transformed, e.g. `__PASSWORD__`.
    public let attribute: String?
    /// The password operation.
    public let operation: Operation?
    /// The account's uid on the target system.
    public let uid: String?
    /// The account's non-secret attributes.
    public let attributes: [String: String]

    /// The entries laid out for C, built once per value, not once per call
    /// (the facts are constants, so the layout never goes stale).
    let encoding: EncodedContext

    /// Creates a context; every fact is optional.
    public init(
        system: String? = nil,
        attribute: String? = nil,
        operation: Operation? = nil,
        uid: String? = nil,
        attributes: [String: String] = [:]
    ) {
        self.system = system
        self.attribute = attribute
        self.operation = operation
        self.uid = uid
        self.attributes = attributes
        self.encoding = EncodedContext(Self.entries(system, attribute, operation, uid, attributes))
    }

    public static func == (lhs: ScriptContext, rhs: ScriptContext) -> Bool {
        (lhs.system, lhs.attribute, lhs.operation, lhs.uid) == (rhs.system, rhs.attribute, rhs.operation, rhs.uid)
            && lhs.attributes == rhs.attributes
    }

    /// Every entry of the Lua table; an attribute named like a fixed key is dropped.
    private static func entries(
        _ system: String?, _ attribute: String?, _ operation: Operation?, _ uid: String?,
        _ attributes: [String: String]
    ) -> [(key: String, value: String)] {
        var result = attributes
            .filter { !fixedKeys.contains($0.key) }
            .sorted { $0.key < $1.key }
            .map { (key: $0.key, value: $0.value) }
        if let system { result.append(("system", system)) }
        if let attribute { result.append(("attribute", attribute)) }
        if let operation { result.append(("operation", operation.rawValue)) }
        if let uid { result.append(("uid", uid)) }
        return result
    }

    private static let fixedKeys: Set<String> = ["system", "attribute", "operation", "uid"]
}
