import KeywardConfiguration
import KeywardEngine
import Logging

extension Runtime {
    /// The password desk (the operations with their mail) acting for the
    /// person running the command, with the outbox worker that delivers its
    /// mail; both without mail when `mail:` is not configured.
    func desk(publicURL: String, logger: Logger) throws(CommandError) -> (PasswordDesk, OutboxWorker?) {
        let mail = try mailSetup(logger: logger)
        let notifier = mail.map { mail in
            OutboxNotifier(
                outbox: store, renderer: mail.renderer,
                systems: systems.map {
                    NotificationSystem(name: $0.name, description: configuration.notifications[$0.name]?.systemDescription)
                },
                logger: logger)
        }
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        let desk = PasswordDesk(
            passwords: PasswordService(provisioning: try service()), notifier: notifier,
            linkBase: base + "/set-password/")
        return (desk, mail.map { OutboxWorker(outbox: store, mailer: $0.mailer, logger: logger) })
    }
}
