import KeywardCore

/// The parts of a subschema entry (RFC 4512 `attributeTypes` and
/// `objectClasses`) a connector's schema needs: syntaxes, single-value,
/// user modification, and the MUST lists of object classes with their
/// superclasses.
struct LDAPSubschema {
    struct AttributeType {
        var names: [String]
        var superior: String?
        var syntax: String?
        var isSingleValued: Bool
        var isUserModifiable: Bool
    }

    struct ObjectClass {
        var names: [String]
        var superiors: [String]
        var must: [String]
    }

    /// Attribute types by lowercased name.
    private(set) var attributeTypes: [String: AttributeType] = [:]
    /// Object classes by lowercased name.
    private(set) var objectClasses: [String: ObjectClass] = [:]

    /// Parses the values of `attributeTypes` and `objectClasses`; values it
    /// cannot read are skipped.
    init(attributeTypes: [String], objectClasses: [String]) {
        for text in attributeTypes {
            let fields = Self.fields(of: text)
            let type = AttributeType(
                names: fields["NAME"] ?? [], superior: fields["SUP"]?.first, syntax: fields["SYNTAX"]?.first,
                isSingleValued: fields["SINGLE-VALUE"] != nil, isUserModifiable: fields["NO-USER-MODIFICATION"] == nil)
            for name in type.names { self.attributeTypes[name.lowercased()] = type }
        }
        for text in objectClasses {
            let fields = Self.fields(of: text)
            let objectClass = ObjectClass(
                names: fields["NAME"] ?? [], superiors: fields["SUP"] ?? [], must: fields["MUST"] ?? [])
            for name in objectClass.names { self.objectClasses[name.lowercased()] = objectClass }
        }
    }

    /// The Keyward type of an attribute's syntax, following `SUP` for an
    /// attribute that inherits it; nil for an unknown attribute.
    func valueType(of name: String) -> AttributeSchema.ValueType? {
        var current = attributeTypes[name.lowercased()]
        var seen = 0
        while let type = current, seen < 16 {
            if let syntax = type.syntax {
                // An OID may carry a length bound: 1.3.6.1.4.1.1466.115.121.1.15{64}.
                switch String(syntax.prefix { $0 != "{" }) {
                case "1.3.6.1.4.1.1466.115.121.1.27": return .integer
                case "1.3.6.1.4.1.1466.115.121.1.7": return .boolean
                case "1.3.6.1.4.1.1466.115.121.1.40", "1.3.6.1.4.1.1466.115.121.1.5", "1.3.6.1.4.1.1466.115.121.1.28",
                    "1.3.6.1.4.1.1466.115.121.1.8":
                    return .binary
                default: return .string
                }
            }
            current = type.superior.flatMap { attributeTypes[$0.lowercased()] }
            seen += 1
        }
        return current == nil && seen == 0 ? nil : .string
    }

    /// The lowercased attribute names `classes` and their superclasses require.
    func required(by classes: [String]) -> Set<String> {
        var required: Set<String> = []
        var pending = classes.map { $0.lowercased() }
        var seen: Set<String> = []
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let objectClass = objectClasses[name] else { continue }
            required.formUnion(objectClass.must.map { $0.lowercased() })
            pending.append(contentsOf: objectClass.superiors.map { $0.lowercased() })
        }
        return required
    }

    /// The fields of one description: keyword → its values (`NAME ( 'cn'
    /// 'commonName' )` → ["cn", "commonName"]; a flag such as
    /// `SINGLE-VALUE` → []).
    static func fields(of description: String) -> [String: [String]] {
        var tokens = tokens(of: description)[...]
        if tokens.first == .open { tokens.removeFirst() }
        if !tokens.isEmpty { tokens.removeFirst() }  // the OID
        var fields: [String: [String]] = [:]
        while case .word(let keyword)? = tokens.popFirst() {
            var values: [String] = []
            switch tokens.first {
            case .open?:
                tokens.removeFirst()
                loop: while let token = tokens.popFirst() {
                    switch token {
                    case .close: break loop
                    case .word("$"), .open: continue
                    case .word(let value), .quoted(let value): values.append(value)
                    }
                }
            case .quoted(let value)?:
                tokens.removeFirst()
                values.append(value)
            case .word(let value)? where !isKeyword(value):
                tokens.removeFirst()
                values.append(value)
            default:
                break
            }
            fields[keyword] = values
        }
        return fields
    }

    private enum Token: Equatable {
        case open, close
        case word(String)
        case quoted(String)
    }

    /// Parentheses, quoted strings (without quotes) and bare words.
    private static func tokens(of text: String) -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "(" || character == ")" {
                tokens.append(character == "(" ? .open : .close)
                index = text.index(after: index)
            } else if character == "'" {
                let start = text.index(after: index)
                let end = text[start...].firstIndex(of: "'") ?? text.endIndex
                tokens.append(.quoted(String(text[start..<end])))
                index = end < text.endIndex ? text.index(after: end) : end
            } else if character.isWhitespace {
                index = text.index(after: index)
            } else {
                let end =
                    text[index...].firstIndex { $0.isWhitespace || $0 == "(" || $0 == ")" || $0 == "'" }
                    ?? text.endIndex
                tokens.append(.word(String(text[index..<end])))
                index = end
            }
        }
        return tokens
    }

    /// Whether `word` is an RFC 4512 keyword (capitals and hyphens, like
    /// `SINGLE-VALUE` or `X-ORIGIN`) rather than an OID or name.
    private static func isKeyword(_ word: String) -> Bool {
        word.allSatisfy { $0.isUppercase || $0 == "-" || $0 == "_" }
    }
}
