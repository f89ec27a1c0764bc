public import Foundation
public import KeywardCore

/// A notification mail handed to the outbox: what it is about, which
/// operations it waits for, and its payload (envelope and message), which
/// the store keeps only sealed.
public struct NewOutboxMail: Sendable {
    /// The notification kind (`initialize-one-way`, `reset`, …).
    public var kind: String
    /// The person the mail is about.
    public var username: String
    /// The system the operation was on.
    public var system: String
    /// Who asked for the operation (the audit entry's actor).
    public var requestedBy: String
    /// The request whose operations the mail waits for ('' for none).
    public var requestID: String
    /// The operations that must all have executed before the mail is sent;
    /// empty: it is due at once.
    public var waitsFor: [Int64]
    /// How many recipients the envelope has (for the audit log).
    public var recipientCount: Int
    /// Whether the message holds the password or a one-time link.
    public var carriesSecret: Bool
    /// The envelope and the whole message, as the mailer's side encodes
    /// them; sealed with the store's current key before it is written.
    public var payload: GuardedString

    /// Creates a mail for the outbox.
    public init(
        kind: String, username: String, system: String, requestedBy: String, requestID: String = "",
        waitsFor: [Int64] = [], recipientCount: Int, carriesSecret: Bool, payload: GuardedString
    ) {
        self.kind = kind
        self.username = username
        self.system = system
        self.requestedBy = requestedBy
        self.requestID = requestID
        self.waitsFor = waitsFor
        self.recipientCount = recipientCount
        self.carriesSecret = carriesSecret
        self.payload = payload
    }
}

/// A mail claimed for delivery, its payload decrypted.
public struct ClaimedOutboxMail: Sendable {
    /// The outbox row.
    public var id: Int64
    /// The notification kind.
    public var kind: String
    /// The person.
    public var username: String
    /// The system.
    public var system: String
    /// How many recipients.
    public var recipientCount: Int
    /// Delivery attempts so far, this one included.
    public var attempts: Int
    /// When it was queued.
    public var createdAt: Date
    /// The envelope and message, as they were added.
    public var payload: GuardedString

    /// Creates a claimed mail (the store does).
    public init(
        id: Int64, kind: String, username: String, system: String, recipientCount: Int, attempts: Int, createdAt: Date,
        payload: GuardedString
    ) {
        self.id = id
        self.kind = kind
        self.username = username
        self.system = system
        self.recipientCount = recipientCount
        self.attempts = attempts
        self.createdAt = createdAt
        self.payload = payload
    }
}

/// A mail waiting in the outbox as listings show it: never its payload.
public struct OutboxEntry: Sendable, Equatable {
    /// Where a mail is in its life. A mail that was sent, failed for good,
    /// or whose operation failed is deleted, so it has no state.
    public enum State: String, Sendable {
        /// Waiting for its operations, or due.
        case waiting
        /// Claimed by a worker until `nextAttemptAt` (a lease: after it, a
        /// mail whose worker died is claimed again).
        case sending
        /// A delivery failed for a passing reason; due again at `nextAttemptAt`.
        case retrying
    }

    /// The outbox row.
    public var id: Int64
    /// The notification kind.
    public var kind: String
    /// The person.
    public var username: String
    /// The system.
    public var system: String
    /// The request it belongs to.
    public var requestID: String
    /// The operations it waits for.
    public var waitsFor: [Int64]
    /// How many recipients.
    public var recipientCount: Int
    /// Whether the message holds the password or a one-time link.
    public var carriesSecret: Bool
    /// The id of the key that sealed it.
    public var keyID: String
    /// Its state.
    public var state: State
    /// Delivery attempts so far.
    public var attempts: Int
    /// When it is due (again), or when a claim's lease ends.
    public var nextAttemptAt: Date
    /// When it was queued.
    public var createdAt: Date
    /// Why the last delivery failed ('' if none); never a secret.
    public var lastError: String

    /// Creates an entry (a store does).
    package init(
        id: Int64, kind: String, username: String, system: String, requestID: String, waitsFor: [Int64],
        recipientCount: Int, carriesSecret: Bool, keyID: String, state: State, attempts: Int, nextAttemptAt: Date,
        createdAt: Date, lastError: String
    ) {
        self.id = id
        self.kind = kind
        self.username = username
        self.system = system
        self.requestID = requestID
        self.waitsFor = waitsFor
        self.recipientCount = recipientCount
        self.carriesSecret = carriesSecret
        self.keyID = keyID
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.lastError = lastError
    }
}

/// The store's notification outbox: mails kept sealed in confidential
/// storage until they are delivered, then deleted.
///
/// A mail waits until every operation it names has executed (a one-way
/// password is mailed only once it works); when one of them fails, is
/// blocked or cancelled, the mail is deleted unsent. Every step leaves an
/// audit entry (action `mail`); no entry and no `lastError` holds a secret.
public protocol NotificationOutbox: Store {
    /// Seals and stores `mail` with an audit entry (`queued`); returns its id.
    func addMail(_ mail: NewOutboxMail, now: Date) async throws -> Int64

    /// Claims up to `limit` due mails, oldest first: waiting or retrying
    /// ones whose time has come and whose operations all executed, and
    /// `sending` ones whose lease ran out (their worker died). Each becomes
    /// `sending` until `now + lease`, with `attempts + 1`, its payload
    /// decrypted. On the way, mails whose operations ended without
    /// executing, and mails that no longer decrypt, are deleted with an
    /// audit entry (`not-sent`).
    func claimDueMail(limit: Int, now: Date, lease: Duration) async throws -> [ClaimedOutboxMail]

    /// The mail was delivered: deletes it, audited (`sent`).
    func mailSent(id: Int64, now: Date) async throws

    /// A delivery failed for a passing reason: due again at `nextAttempt`,
    /// the reason (never a secret) kept and audited (`retrying`).
    func mailFailed(id: Int64, error: String, nextAttempt: Date, now: Date) async throws

    /// A delivery failed for good: deletes the mail, audited (`not-sent`).
    func mailGivenUp(id: Int64, reason: String, now: Date) async throws

    /// The mails in the outbox, oldest first (never their payload).
    func outbox() async throws -> [OutboxEntry]
}
