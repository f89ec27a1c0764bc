#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KeywardCore
public import Logging

/// Writes each mail as an `.eml` file in a folder instead of sending it:
/// the local mail sink of the demo (`mail.folder` in keyward.yaml), and a
/// way to look at rendered mails.
///
/// The folder is created with mode 0700 and each file with mode 0600, named
/// `TIME-KIND-MESSAGEID.eml`; the bytes go straight from the mail's guarded
/// buffer to the file. A one-way initialization mail holds the password in
/// clear in its file: use a folder only for demos and tests.
public struct FolderMailer: Mailer {
    /// The folder.
    public let folder: String
    private let logger: Logger

    /// A mailer writing into `folder` (created on first use).
    public init(folder: String, logger: Logger = Logger(label: "keyward.mail")) {
        self.folder = folder
        self.logger = logger
    }

    public func send(_ message: OutgoingMail) async throws(MailError) {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailError(.delivery, "cannot create the mail folder `\(folder)`; check that Keyward may write there")
        }
        let stamp = Int(Date().timeIntervalSince1970 * 1000)
        let localPart = message.messageID.prefix { $0 != "@" }
        let path = "\(folder)/\(stamp)-\(message.kind.rawValue)-\(localPart).eml"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create `\(path)`", errno) }
        defer { close(descriptor) }
        let written = message.message.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return errno }
                offset += count
            }
            return 0
        }
        guard written == 0, fsync(descriptor) == 0 else { throw failure("cannot write `\(path)`", written == 0 ? errno : written) }
        logger.info(
            "mail written",
            metadata: [
                "kind": "\(message.kind.rawValue)", "system": "\(message.system)", "username": "\(message.username)",
                "recipients": "\(message.recipients.count)", "messageID": "\(message.messageID)", "file": "\(path)",
            ])
    }

    private func failure(_ what: String, _ code: Int32) -> MailError {
        MailError(.delivery, "\(what): \(String(cString: strerror(code))); check that the folder is writable by Keyward")
    }
}
