import Crypto
import Foundation

/// The helpdesk's signed-in sessions, in memory: a random 256-bit id in an
/// `HttpOnly; SameSite=Strict` cookie names the API token that signed in.
/// Only the id's SHA-256 is kept, so the lookup never compares secrets
/// byte by byte. A session ends at its expiry (the server's
/// `sessionLifetime` after sign-in), at sign-out, or when the server stops.
actor SessionStore {
    /// One signed-in helpdesk person.
    struct Session: Sendable {
        /// The id in the cookie (also the binding of the session's forms).
        let id: String
        /// The API client whose token signed in (`helpdesk:NAME` in the audit log).
        let client: APIClient
        /// When it stops working.
        let expiresAt: Date
    }

    private var sessions: [Data: Session] = [:]
    private let lifetime: Duration
    private let now: @Sendable () -> Date

    /// A store whose sessions last `lifetime`, on `now`'s clock.
    init(lifetime: Duration, now: @escaping @Sendable () -> Date) {
        self.lifetime = lifetime
        self.now = now
    }

    /// Opens a session for `client`.
    func open(for client: APIClient) -> Session {
        let at = now()
        sessions = sessions.filter { $0.value.expiresAt > at }
        let seconds = Double(lifetime.components.seconds) + Double(lifetime.components.attoseconds) / 1e18
        let session = Session(id: RandomToken.make(), client: client, expiresAt: at.addingTimeInterval(seconds))
        sessions[Self.key(session.id)] = session
        return session
    }

    /// The session `id` names, nil when unknown, ended or expired.
    func session(id: String) -> Session? {
        let key = Self.key(id)
        guard let session = sessions[key] else { return nil }
        guard session.expiresAt > now() else {
            sessions[key] = nil
            return nil
        }
        return session
    }

    /// Ends the session `id` (signing out).
    func close(id: String) {
        sessions[Self.key(id)] = nil
    }

    /// How many sessions are open (for tests and metrics).
    var count: Int { sessions.count }

    private static func key(_ id: String) -> Data {
        Data(SHA256.hash(data: Data(id.utf8)))
    }
}
