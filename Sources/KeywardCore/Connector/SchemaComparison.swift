/// Checks a declared attribute schema (from a connector file) against the
/// schema a connector reports from its system (discovery).
///
/// The declaration may narrow what the system offers (mark an attribute not
/// updatable, or leave attributes out) but never claim more: an attribute the
/// system lacks, a different type, or an ability the system does not have is
/// an error; a multivalued attribute declared single-valued, and an attribute
/// the system requires on create that the declaration leaves out, are warnings.
public enum SchemaComparison {
    /// One difference between a declaration and a discovered schema.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        /// Whether the declaration cannot work (error) or may surprise (warning).
        public enum Severity: String, Sendable { case error, warning }

        /// How serious it is.
        public let severity: Severity
        /// The attribute concerned.
        public let attribute: String
        /// What is different and what to do, in one sentence.
        public let message: String

        /// `error: mail: …`.
        public var description: String { "\(severity.rawValue): \(attribute): \(message)" }
    }

    /// Every difference between `declared` and `discovered`, in declaration
    /// order, then the system's required attributes the declaration omits.
    public static func differences(
        declared: [AttributeSchema],
        discovered: [AttributeSchema]
    ) -> [Difference] {
        let system = Dictionary(discovered.map { ($0.name.lowercased(), $0) }) { first, _ in first }
        var result: [Difference] = []
        for entry in declared {
            guard let actual = system[entry.name.lowercased()] else {
                result.append(.init(
                    severity: .error, attribute: entry.name,
                    message: "the system does not have this attribute; remove it or correct its name"))
                continue
            }
            if entry.type != actual.type {
                result.append(.init(
                    severity: .error, attribute: entry.name,
                    message: "declared as \(entry.type.rawValue), but the system has \(actual.type.rawValue)"))
            }
            for (ability, claimed, offered) in [
                ("creatable", entry.creatable, actual.creatable),
                ("updatable", entry.updatable, actual.updatable),
                ("readable", entry.readable, actual.readable),
            ] where claimed && !offered {
                result.append(.init(
                    severity: .error, attribute: entry.name,
                    message: "declared \(ability), but the system does not allow it; set `\(ability): false`"))
            }
            if actual.multivalued && !entry.multivalued {
                result.append(.init(
                    severity: .warning, attribute: entry.name,
                    message: "the system allows several values, but the declaration says one; only one will be sent"))
            }
        }
        let declaredNames = Set(declared.map { $0.name.lowercased() })
        for actual in discovered where actual.required && !declaredNames.contains(actual.name.lowercased()) {
            result.append(.init(
                severity: .warning, attribute: actual.name,
                message: "the system requires this attribute on create, but the declaration leaves it out"))
        }
        return result
    }
}
