import Foundation
import KeywardCore
import KeywardEngine
import KeywardTestSupport
import Logging
import Testing

/// The demo's local sink: each mail an `.eml` file, readable by its owner only.
@Suite("Folder mailer", .offThePool)
struct FolderMailerTests {
    @Test("each mail becomes a 0600 file in a 0700 folder, byte for byte")
    func writes() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-mailbox-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let capture = LogCapture()
        let mailer = FolderMailer(folder: root + "/mail", logger: Logger(label: "t") { _ in CapturingLogHandler(capture: capture) })
        let first = try MailFixture.render(.initializeOneWay, password: GuardedString(Canary.password))
        let second = try MailFixture.render(.unlock)
        try await mailer.send(first)
        try await mailer.send(second)

        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/mail").sorted()
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.hasSuffix(".eml") })
        let folderMode = try FileManager.default.attributesOfItem(atPath: root + "/mail")[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        for name in names {
            let path = root + "/mail/" + name
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
            let mail = name.contains("initialize-one-way") ? first : second
            #expect(try String(contentsOfFile: path, encoding: .utf8) == MailFixture.text(of: mail))
        }
        #expect(capture.lines.count == 2)
        #expect(!capture.lines.joined().contains(Canary.password))
    }

    @Test("a folder that cannot be written: a delivery error naming it")
    func unwritable() async throws {
        let mailer = FolderMailer(folder: "/proc/keyward-cannot-be-here")
        let mail = try MailFixture.render(.unlock)
        await #expect {
            try await mailer.send(mail)
        } throws: { error in
            (error as! MailError).kind == .delivery && (error as! MailError).message.contains("/proc/keyward-cannot-be-here")
        }
    }
}
