import KeywardCore
import KeywardEngine
import Synchronization

/// A stand-in for the mail outbox in the API's tests: keeps the notices the
/// desk hands it (the one-way password, the two-way link), so a test can
/// follow them; the outbox's own tests cover the mail.
final class APIRecordingNotifier: PasswordNotifier {
    private let recorded = Mutex<[PasswordNotice]>([])

    /// The notices so far.
    var notices: [PasswordNotice] { recorded.withLock { $0 } }

    func check(kind: NotificationKind, username: String, system: String) async throws(ServiceError) {
        if username == "margaret" { throw ServiceError(.notification, "margaret has no mail address; nothing was queued") }
    }

    func notify(_ notice: PasswordNotice) async throws(ServiceError) {
        recorded.withLock { $0.append(notice) }
    }
}
