public import KeywardCore

/// A request's JSON object, read from its bytes by a small parser of our
/// own so that the password fields go from the body straight into guarded
/// memory: each is decoded (escapes included) directly into a
/// ``GuardedString``'s buffer, never into a `String`, an `Array` or a
/// `Foundation` object. The other fields are ordinary values.
///
/// Only the fields a route names are accepted; any other is refused by
/// name (a misspelt `pasword` is not silently ignored). Values never appear
/// in an error.
public struct APIRequestBody: Sendable {
    /// A field's value.
    public enum Value: Sendable {
        case string(String)
        case bool(Bool)
        case number(String)
        case null
        case array([Value])
        case object([String: Value])
        /// A password field's string.
        case secret(GuardedString)
    }

    /// The object's fields.
    public let fields: [String: Value]

    /// Parses `bytes`, a JSON object whose top-level keys are among
    /// `allowed`; the string values of `secrets` become guarded.
    public init(bytes: UnsafeRawBufferPointer, allowed: Set<String>, secrets: Set<String>) throws(APIError) {
        var parser = JSONBytesParser(bytes: bytes)
        fields = try parser.topLevelObject(allowed: allowed, secrets: secrets)
    }

    // MARK: Fields

    /// The string `key`, nil when absent or null.
    public func string(_ key: String) throws(APIError) -> String? {
        switch fields[key] {
        case nil, .null: return nil
        case .string(let value): return value
        default: throw APIError.badRequest("'\(key)' must be a string")
        }
    }

    /// The string `key`, which must be there and not empty.
    public func requiredString(_ key: String) throws(APIError) -> String {
        guard let value = try string(key), !value.isEmpty else {
            throw APIError.badRequest("'\(key)' is required")
        }
        return value
    }

    /// The boolean `key`, nil when absent or null.
    public func bool(_ key: String) throws(APIError) -> Bool? {
        switch fields[key] {
        case nil, .null: return nil
        case .bool(let value): return value
        default: throw APIError.badRequest("'\(key)' must be true or false")
        }
    }

    /// The array of strings `key`, nil when absent or null.
    public func strings(_ key: String) throws(APIError) -> [String]? {
        switch fields[key] {
        case nil, .null: return nil
        case .array(let values):
            var strings: [String] = []
            for value in values {
                guard case .string(let string) = value else { throw APIError.badRequest("'\(key)' must be an array of strings") }
                strings.append(string)
            }
            return strings
        default: throw APIError.badRequest("'\(key)' must be an array of strings")
        }
    }

    /// The password field `key`, nil when absent or null.
    public func secret(_ key: String) throws(APIError) -> GuardedString? {
        switch fields[key] {
        case nil, .null: return nil
        case .secret(let value): return value
        default: throw APIError.badRequest("'\(key)' must be a string")
        }
    }

    /// The password field `key`, which must be there and not empty.
    public func requiredSecret(_ key: String) throws(APIError) -> GuardedString {
        guard let value = try secret(key), !value.isEmpty else { throw APIError.badRequest("'\(key)' is required") }
        return value
    }
}
