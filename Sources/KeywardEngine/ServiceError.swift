public import KeywardCore
public import KeywardStore

/// Why a password request was refused before anything was queued, or why
/// the store failed. The message names the person, system and operation,
/// never a secret.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// What kind of refusal.
    public enum Kind: String, Sendable {
        /// No identity with that username (import it first).
        case unknownUser = "unknown-user"
        /// No enabled system with that name.
        case unknownSystem = "unknown-system"
        /// The system does not support the operation (the capability matrix).
        case unsupported
        /// The person has no account on the system (or has one already, for create).
        case account
        /// The planner refused: a policy violation, a script failure, …
        case planning
        /// A set-password link that is unknown, used, replaced or expired.
        case link
        /// The mail cannot be sent or addressed (no `mail:` configured, no
        /// address for the person), so nothing was queued.
        case notification
        /// The store failed.
        case store
    }

    /// What kind of refusal.
    public var kind: Kind
    /// The message, for people.
    public var message: String
    /// The planner's error, for `planning`.
    public var planningError: PlanningError?
    /// The store's error, for `store`.
    public var storeError: StoreError?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, planningError: PlanningError? = nil, storeError: StoreError? = nil) {
        self.kind = kind
        self.message = message
        self.planningError = planningError
        self.storeError = storeError
    }

    public var description: String { message }

    static func store(_ error: any Error) -> ServiceError {
        if let error = error as? ServiceError { return error }
        if let storeError = error as? StoreError {
            return ServiceError(.store, storeError.message, storeError: storeError)
        }
        return ServiceError(.store, "the store failed: \(error)")
    }
}
