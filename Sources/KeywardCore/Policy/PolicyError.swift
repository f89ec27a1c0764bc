/// A policy could not generate a password.
///
/// The message names the rules in conflict and never holds a password: the
/// generator's rejected candidates are wiped, not reported.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    /// The generate policy's name.
    public let policy: String
    /// What went wrong and what to change, as a sentence.
    public let message: String
    /// Why generation failed.
    public let code: Code

    /// Creates an error.
    public init(policy: String, code: Code, message: String) {
        self.policy = policy
        self.code = code
        self.message = message
    }

    /// `password policy NAME cannot generate: MESSAGE`.
    public var description: String { "password policy \(policy) cannot generate a password: \(message)" }

    /// A stable reason code; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case infeasible
            case exhausted
        }

        private let value: Value

        /// The policy's own rules, or its rules together with the paired
        /// policies', contradict each other (see ``PolicyFeasibility``).
        public static let infeasible = Code(value: .infeasible)
        /// Every bounded attempt produced a password some rule rejected (for
        /// instance personal data or the dictionary, which depend on the
        /// person and the list).
        public static let exhausted = Code(value: .exhausted)

        /// `infeasible` or `exhausted`.
        public var description: String { value.rawValue }
    }
}
