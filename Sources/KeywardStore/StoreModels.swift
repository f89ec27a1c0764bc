public import Foundation
public import KeywardCore

/// Where a provisioning operation is in its life.
///
/// `created → running → executed | failed | retrying → running → … | blocked`,
/// and `cancelled` from `created` or `retrying`. `executed`, `failed`,
/// `blocked` and `cancelled` end an operation: its secrets are deleted in
/// the same transaction.
public enum OperationState: String, Sendable, CaseIterable, Codable {
    /// Queued, never tried.
    case created
    /// A worker has it.
    case running
    /// The system accepted it.
    case executed
    /// The system refused it for good (not found, policy rejected, …).
    case failed
    /// A transient failure; tried again at `nextAttemptAt`.
    case retrying
    /// Retries ran out; the result says why.
    case blocked
    /// An admin cancelled it.
    case cancelled

    /// Whether the operation has ended.
    public var isTerminal: Bool {
        switch self {
        case .executed, .failed, .blocked, .cancelled: true
        case .created, .running, .retrying: false
        }
    }
}

/// What an operation does to an account.
public enum OperationAction: String, Sendable, CaseIterable, Codable {
    /// Create the account with its attributes (and first password).
    case create
    /// Update attributes (a password reset or initialisation is an update
    /// of `__PASSWORD__`).
    case update
    /// Change the password with the current one (`__CURRENT_PASSWORD__`
    /// among the secrets), verified by the system.
    case change
    /// Unlock the account.
    case unlock
}

/// One attribute of a queued operation. A secret attribute's value is not
/// here: it is in confidential storage, under the same name.
public struct QueuedAttribute: Sendable, Hashable, Codable {
    /// The attribute's name on the system.
    public var name: String
    /// The plain value; nil for a secret, or an unset value.
    public var value: String?
    /// Whether the value is a secret held in confidential storage.
    public var isSecret: Bool
    /// Whether this is a password attribute.
    public var isPassword: Bool

    /// Creates an attribute.
    public init(name: String, value: String?, isSecret: Bool, isPassword: Bool) {
        self.name = name
        self.value = value
        self.isSecret = isSecret
        self.isPassword = isPassword
    }
}

/// A non-secret result: a stable code and a message for people.
public struct OperationResult: Sendable, Equatable, Codable {
    /// A stable code: `ok`, `not-found`, `unreachable`, `retries-exhausted`, …
    public var code: String
    /// What happened, in words. Never a secret.
    public var message: String

    /// Creates a result.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// An operation to queue.
public struct NewOperation: Sendable {
    /// The target system's name.
    public var system: String
    /// The person's username in Keyward.
    public var username: String
    /// The account's uid on the system.
    public var uid: String
    /// What it does.
    public var action: OperationAction
    /// The attributes, in order; secrets are named here and held in `secrets`.
    public var attributes: [QueuedAttribute]
    /// The secrets by attribute name (plus `__CURRENT_PASSWORD__` for a change),
    /// encrypted before they are stored.
    public var secrets: [String: GuardedString]
    /// Ask the system to make the person change the password at next login.
    public var mustChange: Bool?
    /// At most this many attempts, then `blocked`.
    public var maxAttempts: Int

    /// Creates an operation to queue.
    /// Whether it sets a password (a create or update with a password
    /// attribute, or a change): such an operation revokes the account's
    /// open set-password links.
    public var setsPassword: Bool {
        action == .change || attributes.contains { $0.isPassword }
    }

    public init(
        system: String, username: String, uid: String, action: OperationAction,
        attributes: [QueuedAttribute] = [], secrets: [String: GuardedString] = [:],
        mustChange: Bool? = nil, maxAttempts: Int = 5
    ) {
        self.system = system
        self.username = username
        self.uid = uid
        self.action = action
        self.attributes = attributes
        self.secrets = secrets
        self.mustChange = mustChange
        self.maxAttempts = maxAttempts
    }
}

/// The secret name under which a change operation carries the current password.
public let currentPasswordSecretName = "__CURRENT_PASSWORD__"

/// A queued operation as stored. Nothing here is secret.
public struct QueuedOperation: Sendable, Equatable {
    /// The operation's number.
    public var id: Int64
    /// The request it belongs to (one request can queue several operations).
    public var requestID: String
    /// Who asked (`cli:root`, `api:helpdesk-token`, …).
    public var requestedBy: String
    /// The target system's name.
    public var system: String
    /// The person's username in Keyward.
    public var username: String
    /// The account's uid on the system.
    public var uid: String
    /// What it does.
    public var action: OperationAction
    /// The attributes (secrets named, not held).
    public var attributes: [QueuedAttribute]
    /// Whether the system should make the person change the password at next login.
    public var mustChange: Bool?
    /// Where it is in its life.
    public var state: OperationState
    /// How many times a worker took it.
    public var attempts: Int
    /// At most this many attempts.
    public var maxAttempts: Int
    /// When it is due (again).
    public var nextAttemptAt: Date
    /// Whether a worker took it and never reported back (a crash): the next
    /// attempt may find its effect already done.
    public var wasInterrupted: Bool
    /// The last result.
    public var result: OperationResult?
    /// When it was queued.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// Whether confidential storage still holds secrets for it.
    public var holdsSecrets: Bool

    /// Creates a stored operation.
    public init(
        id: Int64, requestID: String, requestedBy: String, system: String, username: String, uid: String,
        action: OperationAction, attributes: [QueuedAttribute], mustChange: Bool?, state: OperationState,
        attempts: Int, maxAttempts: Int, nextAttemptAt: Date, wasInterrupted: Bool, result: OperationResult?,
        createdAt: Date, updatedAt: Date, holdsSecrets: Bool
    ) {
        self.id = id
        self.requestID = requestID
        self.requestedBy = requestedBy
        self.system = system
        self.username = username
        self.uid = uid
        self.action = action
        self.attributes = attributes
        self.mustChange = mustChange
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.nextAttemptAt = nextAttemptAt
        self.wasInterrupted = wasInterrupted
        self.result = result
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.holdsSecrets = holdsSecrets
    }
}

/// An operation a worker claimed, with its secrets decrypted.
public struct ClaimedOperation: Sendable {
    /// The operation (state `running`, attempts already counted).
    public var operation: QueuedOperation
    /// Its secrets by name.
    public var secrets: [String: GuardedString]

    /// Creates a claimed operation.
    public init(operation: QueuedOperation, secrets: [String: GuardedString]) {
        self.operation = operation
        self.secrets = secrets
    }
}

/// How an attempt ended, as the executor reports it.
public enum AttemptOutcome: Sendable, Equatable {
    /// Done: `executed`; secrets deleted.
    case executed(OperationResult)
    /// Refused for good: `failed`; secrets deleted.
    case failed(OperationResult)
    /// Transient: `retrying` at this time; secrets kept.
    case retry(at: Date, OperationResult)
    /// Retries ran out: `blocked`; secrets deleted.
    case blocked(OperationResult)
}

/// What Keyward knows about one account on one system.
public struct AccountRecord: Sendable, Equatable {
    /// The account's lifecycle state.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Queued for creation.
        case pending
        /// Exists on the system.
        case active
        /// Creation failed.
        case failed
    }

    /// The person's username in Keyward.
    public var username: String
    /// The target system's name.
    public var system: String
    /// The account's uid on the system.
    public var uid: String
    /// The state.
    public var state: State
    /// Whether the account is locked, when known.
    public var locked: Bool?
    /// Whether the person must change the password at next login, when known.
    public var mustChange: Bool?
    /// When the record last changed.
    public var updatedAt: Date

    /// Creates a record.
    public init(
        username: String, system: String, uid: String, state: State,
        locked: Bool? = nil, mustChange: Bool? = nil, updatedAt: Date = Date()
    ) {
        self.username = username
        self.system = system
        self.uid = uid
        self.state = state
        self.locked = locked
        self.mustChange = mustChange
        self.updatedAt = updatedAt
    }
}

/// One line of the audit log: who asked what for which account, and how it
/// ended. Never a secret.
public struct AuditEntry: Sendable, Equatable {
    /// The entry's number (0 before it is stored).
    public var id: Int64
    /// When.
    public var at: Date
    /// Who asked.
    public var actor: String
    /// What: `create`, `change`, `reset`, `initialize`, `unlock`, `cancel`, `retry`, …
    public var action: String
    /// The person's username.
    public var username: String
    /// The system, if one.
    public var system: String?
    /// The account uid, if known.
    public var uid: String?
    /// The operation, if one.
    public var operationID: Int64?
    /// `requested`, `executed`, `failed`, `retrying`, `blocked`, `cancelled`, `refused`.
    public var outcome: String
    /// Details in words. Never a secret.
    public var message: String

    /// Creates an entry.
    public init(
        id: Int64 = 0, at: Date = Date(), actor: String, action: String, username: String,
        system: String? = nil, uid: String? = nil, operationID: Int64? = nil, outcome: String, message: String = ""
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.username = username
        self.system = system
        self.uid = uid
        self.operationID = operationID
        self.outcome = outcome
        self.message = message
    }
}

/// Which operations to list.
public struct OperationFilter: Sendable, Equatable {
    /// Only these states (empty: all).
    public var states: Set<OperationState>
    /// Only this person's.
    public var username: String?
    /// Only this system's.
    public var system: String?
    /// At most this many, newest first.
    public var limit: Int

    /// Creates a filter.
    public init(states: Set<OperationState> = [], username: String? = nil, system: String? = nil, limit: Int = 100) {
        self.states = states
        self.username = username
        self.system = system
        self.limit = limit
    }
}

/// Which audit entries to list.
public struct AuditFilter: Sendable, Equatable {
    /// Only this person's.
    public var username: String?
    /// Only entries at or after this time.
    public var since: Date?
    /// At most this many, newest first.
    public var limit: Int

    /// Creates a filter.
    public init(username: String? = nil, since: Date? = nil, limit: Int = 1000) {
        self.username = username
        self.since = since
        self.limit = limit
    }
}

/// Counts from an identity import.
public struct ImportSummary: Sendable, Equatable {
    /// New identities.
    public var inserted: Int
    /// Identities that existed and were updated.
    public var updated: Int

    /// Creates a summary.
    public init(inserted: Int = 0, updated: Int = 0) {
        self.inserted = inserted
        self.updated = updated
    }
}

/// How an attempt's outcome changes the person's account record. The store
/// applies it in the transaction that records the outcome, so the engine
/// never reads the record first; a field left nil keeps the stored value.
public struct AccountUpdate: Sendable, Equatable {
    /// The new state, nil to keep it (`active` for a record created here).
    public var state: AccountRecord.State?
    /// Whether the account is now locked, nil to keep what is known.
    public var locked: Bool?
    /// Whether the person must now change the password, nil to keep what is known.
    public var mustChange: Bool?
    /// Whether a missing record is created with the operation's uid; when
    /// false, an update to a missing record changes nothing.
    public var createIfMissing: Bool

    /// Creates an update.
    public init(state: AccountRecord.State? = nil, locked: Bool? = nil, mustChange: Bool? = nil, createIfMissing: Bool) {
        self.state = state
        self.locked = locked
        self.mustChange = mustChange
        self.createIfMissing = createIfMissing
    }
}

/// A two-way initialization link's token, as stored: only its SHA-256 hash,
/// never the token itself. Valid until it is used, revoked (by a later
/// password operation on the account, or a newer link), or expired.
public struct SetPasswordToken: Sendable, Equatable {
    /// SHA-256 of the token.
    public var hash: Data
    /// The person's username.
    public var username: String
    /// The system whose password the link sets.
    public var system: String
    /// Who asked for the link.
    public var createdBy: String
    /// When it was issued.
    public var createdAt: Date
    /// When it stops working.
    public var expiresAt: Date
    /// When it was used, if it was.
    public var usedAt: Date?
    /// When a later password operation revoked it, if one did.
    public var revokedAt: Date?

    /// Creates a token record.
    public init(
        hash: Data, username: String, system: String, createdBy: String, createdAt: Date, expiresAt: Date,
        usedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.hash = hash
        self.username = username
        self.system = system
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }
}
