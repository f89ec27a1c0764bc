public import Foundation
public import KeywardCore

/// Keyward's persistent state: identities, accounts, the provisioning queue
/// with its confidential storage, and the audit log.
///
/// One protocol for every engine (SQLite embedded, PostgreSQL for
/// scale-out). Every method is one transaction: an operation and its secrets
/// are queued together with the audit entry, and an operation ends together
/// with the deletion of its secrets.
///
/// Errors are ``StoreError``s, whose messages never carry a secret.
public protocol Store: Sendable {
    // MARK: Identities

    /// Inserts or updates identities by username: in one transaction on
    /// SQLite; in transactions of a few hundred on PostgreSQL, where each
    /// must answer within the store's `timeout` (an import cut short is
    /// completed by running it again).
    func upsertIdentities(_ identities: [Identity]) async throws -> ImportSummary
    /// The identity with this username.
    func identity(username: String) async throws -> Identity?
    /// Every identity, by username.
    func identities() async throws -> [Identity]
    /// The identity with this username and its accounts (by system), read
    /// together: what a request checks before it is planned.
    func identityAndAccounts(username: String) async throws -> (Identity, [AccountRecord])?

    // MARK: Accounts

    /// The person's accounts, by system.
    func accounts(username: String) async throws -> [AccountRecord]
    /// The account of this person on this system.
    func account(username: String, system: String) async throws -> AccountRecord?
    /// Inserts or replaces the account of (username, system).
    func saveAccount(_ account: AccountRecord) async throws

    // MARK: Queue

    /// Queues the operations of one request, their secrets (encrypted), the
    /// audit entry and the accounts to save, in one transaction.
    /// Returns the operations' ids, in order.
    ///
    /// An operation that sets a password revokes the set-password links
    /// still open on its account. With `consumingToken`, the link with that
    /// hash is used up in the same transaction; when it is no longer valid
    /// (used, revoked, expired, unknown), nothing is queued and the call
    /// fails with `.invalidState`.
    func enqueue(
        requestID: String, requestedBy: String, operations: [NewOperation],
        accounts: [AccountRecord], audit: [AuditEntry], consumingToken: Data?
    ) async throws -> [Int64]

    /// Stores a two-way initialization link's token (its hash) and revokes
    /// the links still open for the same person and system, with an audit
    /// entry, in one transaction.
    func issueSetPasswordToken(_ token: SetPasswordToken) async throws

    /// The token record with this hash, whatever its state.
    func setPasswordToken(hash: Data) async throws -> SetPasswordToken?

    /// Claims up to `limit` due operations (`created`, or `retrying` whose
    /// time has come), oldest first, skipping any operation whose account
    /// (system, uid) has an earlier operation that has not ended, so that
    /// operations on one account run in order. Claimed operations become
    /// `running` with `attempts + 1`, and come with their secrets decrypted.
    ///
    /// `systemLimits` caps, per system name, how many of its operations may
    /// be `running` at once in the whole store, counting those other workers
    /// (other processes, other machines) hold; a system not named has no cap.
    ///
    /// A store shared by several processes (PostgreSQL) also claims
    /// operations left `running` whose worker's lease ran out (it died),
    /// marked interrupted.
    func claimDue(limit: Int, now: Date, systemLimits: [String: Int]) async throws -> [ClaimedOperation]

    /// Records how an attempt ended, the change it implies to the account
    /// record of the operation's person and system, and the audit entry;
    /// deletes the secrets when the outcome ends the operation. An outcome
    /// of `failed` or `blocked` also cancels the later operations of the
    /// same request on the same account (they stand on it), deleting their
    /// secrets. One transaction.
    func finish(operationID: Int64, outcome: AttemptOutcome, account: AccountUpdate?, audit: AuditEntry) async throws

    /// Operations left `running` by a worker that died: back to `retrying`,
    /// due now, marked interrupted. Returns how many. Call at start. A store
    /// that one process owns (SQLite) takes every `running` operation; one
    /// that several share (PostgreSQL) takes only those whose lease ran out.
    func recoverInterrupted(now: Date) async throws -> Int

    /// One operation.
    func operation(id: Int64) async throws -> QueuedOperation?
    /// Operations matching the filter, newest first.
    func operations(_ filter: OperationFilter) async throws -> [QueuedOperation]
    /// Counts by state.
    func operationCounts() async throws -> [OperationState: Int]

    /// Makes a `retrying` operation due now, or re-queues a `failed` or
    /// `blocked` one that carried no secret (its secrets were deleted when
    /// it ended: a password operation must be requested anew).
    func retry(operationID: Int64, actor: String, now: Date) async throws -> QueuedOperation
    /// Cancels a `created` or `retrying` operation and deletes its secrets.
    func cancel(operationID: Int64, actor: String, now: Date) async throws -> QueuedOperation

    // MARK: Audit

    /// Appends entries.
    func appendAudit(_ entries: [AuditEntry]) async throws
    /// Entries matching the filter, newest first.
    func audit(_ filter: AuditFilter) async throws -> [AuditEntry]

    // MARK: Keys

    /// Re-encrypts every secret in confidential storage under `newKey`, in
    /// one transaction. Returns how many values were re-encrypted.
    func rotateKey(to newKey: MasterKey) async throws -> Int
    /// How many secret values confidential storage holds, by key id.
    func secretCounts() async throws -> [String: Int]
}

extension Store {
    /// Claims due operations with no per-system cap.
    public func claimDue(limit: Int, now: Date) async throws -> [ClaimedOperation] {
        try await claimDue(limit: limit, now: now, systemLimits: [:])
    }

    /// Queues the operations of one request (see the requirement), consuming no link.
    public func enqueue(
        requestID: String, requestedBy: String, operations: [NewOperation],
        accounts: [AccountRecord], audit: [AuditEntry]
    ) async throws -> [Int64] {
        try await enqueue(
            requestID: requestID, requestedBy: requestedBy, operations: operations, accounts: accounts, audit: audit,
            consumingToken: nil)
    }
}
