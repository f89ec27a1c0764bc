import Foundation
import KeywardCore

/// How an ``OutgoingMail`` is kept in the outbox: one guarded value holding
/// a JSON line with the envelope (sender, recipients, Message-ID, subject)
/// and, after it, the message bytes. The store seals the whole value, so
/// the addresses are as confidential as the body; only the recipient count
/// stays in the clear, for the audit log.
///
/// The message bytes are copied only between guarded buffers, never into a
/// `String` or `Data`.
enum OutboxPayload {
    /// The envelope line. Nothing in it is secret; it is sealed anyway.
    private struct Envelope: Codable {
        struct Address: Codable {
            var address: String
            var name: String?
        }
        var from: Address
        var to: [Address]
        var messageID: String
        var subject: String
        var carriesSecret: Bool
    }

    /// The payload of `mail`.
    static func encode(_ mail: OutgoingMail) throws(MailError) -> GuardedString {
        let envelope = Envelope(
            from: Envelope.Address(address: mail.sender.address, name: mail.sender.displayName),
            to: mail.recipients.map { Envelope.Address(address: $0.address, name: $0.displayName) },
            messageID: mail.messageID, subject: mail.subject, carriesSecret: mail.carriesSecret)
        let header: Data
        do {
            header = try JSONEncoder().encode(envelope)
        } catch {
            throw MailError(.configuration, "the \(mail.kind.rawValue) mail's envelope could not be encoded: \(error)")
        }
        return mail.message.withUnsafeBytes { message in
            GuardedString(count: header.count + 1 + message.count) { buffer in
                buffer.copyBytes(from: header)
                buffer[header.count] = UInt8(ascii: "\n")
                if let base = message.baseAddress, message.count > 0 {
                    (buffer.baseAddress! + header.count + 1).copyMemory(from: base, byteCount: message.count)
                }
            }
        }
    }

    /// The mail a payload holds.
    static func decode(
        _ payload: GuardedString, kind: NotificationKind, system: String, username: String
    ) throws(MailError) -> OutgoingMail {
        let parts: (Data, GuardedString)? = payload.withUnsafeBytes { bytes in
            guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            return (
                Data(bytes[..<newline]),
                GuardedString(bytes: UnsafeRawBufferPointer(rebasing: bytes[(newline + 1)...]))
            )
        }
        guard let (header, message) = parts, let envelope = try? JSONDecoder().decode(Envelope.self, from: header) else {
            throw MailError(.configuration, "the stored \(kind.rawValue) mail about \(username) on \(system) is unreadable")
        }
        return OutgoingMail(
            kind: kind, system: system, username: username,
            sender: try MailAddress(envelope.from.address, displayName: envelope.from.name, what: "the stored sender"),
            recipients: try envelope.to.map { (to) throws(MailError) in
                try MailAddress(to.address, displayName: to.name, what: "a stored recipient")
            },
            messageID: envelope.messageID, subject: envelope.subject, message: message,
            carriesSecret: envelope.carriesSecret)
    }
}
