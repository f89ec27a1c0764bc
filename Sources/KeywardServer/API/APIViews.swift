import Foundation
import KeywardEngine
import KeywardStore

/// The API's response bodies. None has a field that could hold a secret: a
/// queued operation shows its attributes' names only, a receipt never its
/// generated password.
enum APIViews {
    /// What a password request queued (202).
    struct Receipt: Encodable {
        var requestID: String
        var systems: [String]
        var operationIDs: [Int64]
        /// `queued`: the operations run on the workers; follow them with
        /// `GET /api/v1/operations/{id}`.
        var state = "queued"

        init(_ receipt: ProvisioningService.Receipt) {
            requestID = receipt.requestID
            systems = receipt.systems
            operationIDs = receipt.operationIDs
        }
    }

    /// A two-way initialization: the link was mailed (202).
    struct LinkSent: Encodable {
        var state = "link-sent"
        var system: String
        var expiresAt: Date
    }

    /// One of a person's accounts, with what can be done to it.
    struct Account: Encodable {
        var system: String
        var uid: String
        var state: String
        var locked: Bool?
        var mustChange: Bool?
        var updatedAt: Date
        /// The operations the system supports (the capability matrix).
        var operations: [String]
    }

    /// A person's accounts.
    struct Accounts: Encodable {
        var username: String
        var accounts: [Account]
    }

    /// A queued operation.
    struct Operation: Encodable {
        var id: Int64
        var requestID: String
        var requestedBy: String
        var system: String
        var username: String
        var uid: String
        var action: String
        /// The attributes' names (values stay in the store; secrets are sealed).
        var attributes: [String]
        var state: String
        var attempts: Int
        var maxAttempts: Int
        var nextAttemptAt: Date
        var result: OperationResult?
        var createdAt: Date
        var updatedAt: Date

        init(_ operation: QueuedOperation) {
            id = operation.id
            requestID = operation.requestID
            requestedBy = operation.requestedBy
            system = operation.system
            username = operation.username
            uid = operation.uid
            action = operation.action.rawValue
            attributes = operation.attributes.map(\.name)
            state = operation.state.rawValue
            attempts = operation.attempts
            maxAttempts = operation.maxAttempts
            nextAttemptAt = operation.nextAttemptAt
            result = operation.result
            createdAt = operation.createdAt
            updatedAt = operation.updatedAt
        }
    }

    /// A list of operations, newest first.
    struct Operations: Encodable {
        var operations: [Operation]
    }

    /// An audit entry.
    struct AuditEntry: Encodable {
        var id: Int64
        var at: Date
        var actor: String
        var action: String
        var username: String
        var system: String?
        var uid: String?
        var operationID: Int64?
        var outcome: String
        var message: String

        init(_ entry: KeywardStore.AuditEntry) {
            id = entry.id
            at = entry.at
            actor = entry.actor
            action = entry.action
            username = entry.username
            system = entry.system
            uid = entry.uid
            operationID = entry.operationID
            outcome = entry.outcome
            message = entry.message
        }
    }

    /// Audit entries, newest first.
    struct Audit: Encodable {
        var entries: [AuditEntry]
    }
}
