public import Foundation
import KeywardCore
public import KeywardStore
public import Logging

/// The ``PasswordNotifier`` that renders each notice and puts the mail in
/// the store's outbox, sealed, for an ``OutboxWorker`` to deliver once the
/// operations it waits for have executed.
///
/// - A one-way initialization's mail holds the password: it exists only
///   sealed in the store (and in guarded memory) until it is sent, then it
///   is deleted. When it cannot be queued, the operations that would set
///   that password are cancelled: a password nobody is told is useless.
/// - A two-way mail holds the link and is due at once.
/// - A confirmation (reset, change, unlock) waits for the operations of its
///   own system. One that cannot be addressed or rendered is not an error
///   for the person asking (their request is queued already): it is logged
///   and audited (`mail` / `not-queued`).
public struct OutboxNotifier: PasswordNotifier {
    /// Where mails wait, and where people and accounts are read.
    public var outbox: any NotificationOutbox
    /// Templates, recipient rules, sender.
    public var renderer: NotificationRenderer
    /// The systems' descriptions for the templates, by name.
    public var systems: [String: NotificationSystem]
    /// Warnings go here (never an address or a secret).
    public var logger: Logger
    /// The clock.
    public let now: @Sendable () -> Date

    /// Creates the notifier.
    public init(
        outbox: any NotificationOutbox, renderer: NotificationRenderer, systems: [NotificationSystem] = [],
        logger: Logger = Logger(label: "keyward.outbox"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.outbox = outbox
        self.renderer = renderer
        self.systems = Dictionary(systems.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.logger = logger
        self.now = now
    }

    public func check(kind: NotificationKind, username: String, system: String) async throws(ServiceError) {
        // An unknown person is the service's refusal to make, in its own words.
        guard let person = try await identity(username) else { return }
        let addresses: [MailAddress]
        do {
            addresses = try renderer.recipients.addresses(for: kind, system: system, person: person)
        } catch {
            throw ServiceError(.notification, "\(error.message); nothing was queued")
        }
        if addresses.isEmpty, kind.carriesPassword || kind == .initializeTwoWay {
            throw ServiceError(
                .notification,
                "the \(kind.rawValue) mail about \(username) on \(system) has no recipient (switched off by `notifications.recipients`), so the \(kind.carriesPassword ? "password" : "link") would reach nobody; nothing was queued")
        }
    }

    public func notify(_ notice: PasswordNotice) async throws(ServiceError) {
        do throws(ServiceError) {
            try await queue(notice)
        } catch where notice.kind.carriesPassword {
            await cancel(notice, because: error)
            throw ServiceError(
                .notification,
                "\(error.message); the \(notice.kind.rawValue) operations for \(notice.username) on \(notice.system) were cancelled, since nobody could be told the password",
                storeError: error.storeError)
        } catch where notice.kind == .initializeTwoWay {
            throw error
        } catch {
            logger.warning(
                "no confirmation mail",
                metadata: ["kind": "\(notice.kind.rawValue)", "system": "\(notice.system)", "username": "\(notice.username)",
                    "reason": "\(error.message)"])
            try? await outbox.appendAudit([
                AuditEntry(
                    at: now(), actor: "outbox", action: "mail", username: notice.username, system: notice.system,
                    outcome: "not-queued", message: "\(notice.kind.rawValue) mail not queued: \(error.message)")
            ])
        }
    }

    /// Renders the notice's mail and adds it to the outbox.
    private func queue(_ notice: PasswordNotice) async throws(ServiceError) {
        guard let person = try await identity(notice.username) else {
            throw ServiceError(.unknownUser, "no person \(notice.username) is known; the \(notice.kind.rawValue) mail was not queued")
        }
        let account: AccountRecord?
        do {
            account = try await outbox.account(username: notice.username, system: notice.system)
        } catch {
            throw ServiceError.store(error)
        }
        let context = NotificationContext(
            person: person, system: systems[notice.system] ?? NotificationSystem(name: notice.system), uid: account?.uid,
            requester: notice.requester, time: now(), expires: notice.expiresAt)
        let rendered: OutgoingMail?
        do {
            rendered = try renderer.render(kind: notice.kind, context: context, password: notice.password, link: notice.link)
        } catch {
            throw ServiceError(.notification, error.message)
        }
        guard let mail = rendered else { return }  // this kind is switched off on this system
        let payload: GuardedString
        do {
            payload = try OutboxPayload.encode(mail)
        } catch {
            throw ServiceError(.notification, error.message)
        }
        do {
            _ = try await outbox.addMail(
                NewOutboxMail(
                    kind: notice.kind.rawValue, username: notice.username, system: notice.system,
                    requestedBy: notice.requester, requestID: notice.requestID,
                    waitsFor: try await operations(of: notice), recipientCount: mail.recipients.count,
                    carriesSecret: mail.carriesSecret, payload: payload),
                now: now())
        } catch {
            throw ServiceError.store(error)
        }
    }

    /// The operations the notice's mail waits for: those of its own system
    /// (a change on three systems mails three confirmations, each once its
    /// own system has the new password).
    private func operations(of notice: PasswordNotice) async throws -> [Int64] {
        guard notice.waitsFor.count > 1 else { return notice.waitsFor }
        var own: [Int64] = []
        for id in notice.waitsFor {
            if try await outbox.operation(id: id)?.system == notice.system { own.append(id) }
        }
        return own.isEmpty ? notice.waitsFor : own
    }

    /// Cancels the operations a one-way mail was for.
    private func cancel(_ notice: PasswordNotice, because error: ServiceError) async {
        for id in notice.waitsFor {
            _ = try? await outbox.cancel(operationID: id, actor: "outbox", now: now())
        }
        logger.error(
            "one-way mail not queued; its operations were cancelled",
            metadata: ["system": "\(notice.system)", "username": "\(notice.username)", "reason": "\(error.message)"])
    }

    private func identity(_ username: String) async throws(ServiceError) -> Identity? {
        do {
            return try await outbox.identity(username: username)
        } catch {
            throw ServiceError.store(error)
        }
    }
}
