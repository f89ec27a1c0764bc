public import Foundation
public import KeywardCore
public import KeywardStore
import Crypto

/// The seeds' password operations for people and the helpdesk: initialize
/// (one-way or two-way), change, reset and unlock, each checked against the
/// capability matrix before anything is queued (``ProvisioningService``
/// refuses with a message naming the system and the operation).
///
/// **Two-way initialization** issues a link instead of a password: a token
/// of 256 random bits, of which the store keeps only the SHA-256 hash. The
/// link works once, until it expires (``linkLifetime``), and not after any
/// later password operation on the account (or a newer link). Setting the
/// password through it creates the account with that password, or resets it
/// when the account exists already; the link is used up in the same
/// transaction that queues the operation, so a refused password (a policy)
/// leaves it usable and a used link cannot queue twice.
public struct PasswordService: Sendable {
    /// The requests underneath.
    public var provisioning: ProvisioningService
    /// How long a set-password link works.
    public var linkLifetime: Duration
    /// The clock.
    public let now: @Sendable () -> Date

    /// Creates the service.
    public init(
        provisioning: ProvisioningService, linkLifetime: Duration = .seconds(72 * 3600),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.provisioning = provisioning
        self.linkLifetime = linkLifetime
        self.now = now
    }

    /// The same service, asking on behalf of `actor` (in the audit log).
    public func acting(as actor: String) -> Self {
        var service = self
        service.provisioning.actor = actor
        return service
    }

    /// A two-way invitation: the token to put in the link (mail it, never
    /// log it) and until when it works.
    public struct Invitation: Sendable {
        /// The link's secret part: 43 URL-safe characters.
        public var token: String
        /// The person.
        public var username: String
        /// The system.
        public var system: String
        /// When the link stops working.
        public var expiresAt: Date
    }

    // MARK: Initialize

    /// One-way: generates a password by policy, provisions it on the
    /// systems, and returns it in the receipt for the instructions mail.
    public func initializeOneWay(username: String, systems: [String]) async throws(ServiceError) -> ProvisioningService.Receipt {
        try await provisioning.createAccounts(username: username, systems: systems, password: .generate)
    }

    /// Two-way: checks that the person may get an account on `system` (or
    /// has one there that can be reset), and issues a link, revoking older
    /// ones. Nothing is provisioned until the link is used.
    public func initializeTwoWay(username: String, system: String) async throws(ServiceError) -> Invitation {
        let (_, accounts) = try await provisioning.person(username)
        let existing = accounts[system].map { $0.state != .failed } ?? false
        _ = try provisioning.targets([system], supporting: existing ? .reset : .initialize, username: username)
        let token = Self.newToken()
        let issued = now()
        let invitation = Invitation(
            token: token, username: username, system: system, expiresAt: issued.addingTimeInterval(Self.seconds(linkLifetime)))
        do {
            try await provisioning.store.issueSetPasswordToken(
                SetPasswordToken(
                    hash: Self.hash(token), username: username, system: system, createdBy: provisioning.actor,
                    createdAt: issued, expiresAt: invitation.expiresAt))
        } catch {
            throw ServiceError.store(error)
        }
        return invitation
    }

    /// The link's record when it can still be used; otherwise a `.link`
    /// error saying why (unknown, used, replaced, expired), for the page.
    public func openLink(token: String) async throws(ServiceError) -> SetPasswordToken {
        let record: SetPasswordToken?
        do {
            record = try await provisioning.store.setPasswordToken(hash: Self.hash(token))
        } catch {
            throw ServiceError.store(error)
        }
        guard let record else {
            throw ServiceError(.link, "this link is not valid; ask for a new one")
        }
        if record.usedAt != nil {
            throw ServiceError(.link, "this link has been used already; it works once")
        }
        if record.revokedAt != nil {
            throw ServiceError(.link, "this link was replaced by a later password operation on the account; use the newest one")
        }
        if record.expiresAt <= now() {
            throw ServiceError(.link, "this link expired at \(record.expiresAt.formatted(.iso8601)); ask for a new one")
        }
        return record
    }

    /// Sets the password the person chose through the link: checked by the
    /// system's policies, then queued with the link used up.
    public func completeTwoWay(token: String, password: GuardedString) async throws(ServiceError) -> ProvisioningService.Receipt {
        let record = try await openLink(token: token)
        let (_, accounts) = try await provisioning.person(record.username)
        do {
            if let account = accounts[record.system], account.state != .failed {
                return try await provisioning.resetPassword(
                    username: record.username, system: record.system, password: .chosen(password), mustChange: false,
                    consumingToken: record.hash)
            }
            return try await provisioning.createAccounts(
                username: record.username, systems: [record.system], password: .chosen(password),
                consumingToken: record.hash)
        } catch where error.storeError?.kind == .invalidState {
            // Used or replaced between openLink and the enqueue.
            throw ServiceError(.link, "this link is no longer valid (used, replaced or expired); ask for a new one")
        }
    }

    // MARK: Change, reset, unlock

    /// The person changes their password on `systems` (nil: every account
    /// that supports change), proving the current one.
    public func change(
        username: String, systems: [String]?, current: GuardedString, new: GuardedString
    ) async throws(ServiceError) -> ProvisioningService.Receipt {
        try await provisioning.changePassword(username: username, systems: systems, current: current, new: new)
    }

    /// The helpdesk resets the password on `system`: generated or typed,
    /// with must-change at next login where the system supports it.
    public func reset(
        username: String, system: String, password: PlanRequest.Password = .generate, mustChange: Bool? = nil
    ) async throws(ServiceError) -> ProvisioningService.Receipt {
        try await provisioning.resetPassword(username: username, system: system, password: password, mustChange: mustChange)
    }

    /// Unlocks the account on `system`.
    public func unlock(username: String, system: String) async throws(ServiceError) -> ProvisioningService.Receipt {
        try await provisioning.unlock(username: username, system: system)
    }

    // MARK: Tokens

    /// 256 random bits from the system's CSPRNG, base64url without padding.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a token.
    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
