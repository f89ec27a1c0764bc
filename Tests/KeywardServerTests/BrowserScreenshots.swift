import Foundation
import KeywardTestSupport
import Testing

/// Screenshots of the pages people use, for the README and docs/pages.md.
/// Every run takes them and checks they are PNGs; with
/// `KEYWARD_SCREENSHOTS=docs/images` (a folder, relative to the package)
/// they are also saved there:
///
///     KEYWARD_SCREENSHOTS=docs/images swift test --filter "Browser/theScreenshots"
extension BrowserTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theScreenshotsOfThePages() async throws {
        try await BrowserFixture.with(mail: true) { fixture in
            try await fixture.pages.server.createAccount("ada", password: "Old-password-42")
            var shots: [(String, Data)] = []

            try await fixture.open(try await fixture.pages.link("grace"))
            shots.append(("set-password.png", try await fixture.browser.screenshot()))

            try await fixture.open("/change")
            try await fixture.fill("username", "ada")
            shots.append(("change.png", try await fixture.browser.screenshot()))

            try await fixture.open("/helpdesk/login")
            try await fixture.fill("token", try await fixture.pages.token("alice"))
            try await fixture.submit()
            try await fixture.open("/helpdesk?user=ada")
            shots.append(("helpdesk.png", try await fixture.browser.screenshot()))

            let signature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            for (name, png) in shots {
                #expect(png.prefix(8) == signature, "\(name) is not a PNG")
                #expect(png.count > 10_000, "\(name) is suspiciously small")
            }
            if let folder = ProcessInfo.processInfo.environment["KEYWARD_SCREENSHOTS"] {
                let target = folder.hasPrefix("/") ? URL(fileURLWithPath: folder) : Self.packageRoot.appendingPathComponent(folder)
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                for (name, png) in shots { try png.write(to: target.appendingPathComponent(name)) }
            }
        }
    }
}
