import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// The canary password through the real engine to both fakes, on every
/// path: created on both, reset on Entra ID, refused by Entra ID with a
/// message that quotes it, a reset of an account Entra ID does not have,
/// a reset throttled and made later, and two requests refused before
/// queueing. Afterwards the canary is in no log line (the executor's and
/// the connectors'), no error, no operation, no audit entry, and no file of
/// the store's folder (`keyward.db`, its WAL), as UTF-8 or JSON-escaped.
@Suite("Queue: the canary through Entra ID and ServiceNow", .offThePool)
struct CloudCanaryTests {
    let canary = Canary.password

    @Test func theCanaryLeavesNoTraceInLogsErrorsTheStoreOrTheAudit() async throws {
        try await withCloudSystems { systems in
            let engine = try systems.engine()
            let texts = try await journey(systems, engine)
            let scan = CanaryScan(canary)

            #expect(scan.texts(texts).isEmpty, "\(scan.texts(texts))")
            let files = try FileManager.default.contentsOfDirectory(atPath: engine.folder.path)
            #expect(Set(files).isSuperset(of: ["keyward.db", "keyward.db-wal"]), "\(files)")
            #expect(try scan.files(under: engine.folder).isEmpty)
            #expect(texts.count > 20)

            // The control: the same scans find the canary where it is planted.
            let planted = engine.folder.appendingPathComponent("planted.bin")
            try Data([0] + Array(#"{"password":"\#(canary)"}"#.utf8) + [0]).write(to: planted)
            #expect(try scan.files(under: engine.folder) == [planted.path])
            try FileManager.default.removeItem(at: planted)
            #expect(scan.texts(texts + ["note: \(canary)"]) == ["note: \(canary)"])
        }
    }

    /// Runs the journey; returns every text it produced.
    private func journey(_ systems: CloudQueueSystems, _ engine: CloudQueueEngine) async throws -> [String] {
        let person = CloudFixtures.unique("k")
        let upn = "\(person)@contoso.example"
        try await engine.addIdentity(person)
        var texts: [String] = []

        let created = try await engine.service.createAccounts(
            username: person, systems: ["entra", "servicenow"], password: .chosen(GuardedString(canary)))
        #expect(try await engine.executor.drain() == 2)
        #expect(try await engine.operations(of: created).map(\.state) == [.executed, .executed])
        #expect(systems.graph.verify(upn, canary) && systems.instance.verify(person, canary))
        texts.append(String(reflecting: created))

        let reset = try await engine.service.resetPassword(
            username: person, system: "entra", password: .chosen(GuardedString(canary + "-2")))
        #expect(try await engine.executor.drain() == 1)
        #expect(systems.graph.verify(upn, canary + "-2"))
        texts.append(String(reflecting: reset))

        // Entra ID refuses the password and quotes it; the audit must not.
        systems.graph.quotePasswordsInErrors(true)
        let weak = try await engine.service.resetPassword(
            username: person, system: "entra", password: .chosen(GuardedString(canary.lowercased().filter(\.isLetter))))
        #expect(try await engine.executor.drain() == 1)
        let refused = try #require(try await engine.operations(of: weak).first)
        #expect(refused.state == .failed && refused.result?.code == ConnectorError.Kind.policyRejected.rawValue)
        #expect(refused.result?.message.contains(RemoteText.withheld) == true, "\(refused)")
        systems.graph.quotePasswordsInErrors(false)

        let ghost = person + "-ghost"
        try await engine.addIdentity(ghost)
        try await engine.recordAccount(ghost, system: "entra", uid: "\(ghost)@contoso.example")
        _ = try await engine.service.resetPassword(
            username: ghost, system: "entra", password: .chosen(GuardedString(canary + "-4")))
        #expect(try await engine.executor.drain() == 1)

        systems.graph.throttle(next: 1, retryAfter: "90")
        let throttled = try await engine.service.resetPassword(
            username: person, system: "entra", password: .chosen(GuardedString(canary + "-5")))
        #expect(try await engine.executor.drain() == 1)
        engine.advance(by: 91)
        #expect(try await engine.executor.drain() == 1)
        #expect(try await engine.operations(of: throttled).first?.state == .executed)
        #expect(systems.graph.verify(upn, canary + "-5"))

        texts += try await refusedRequests(person, engine)
        #expect(try await engine.store.secretCounts().isEmpty, "confidential storage still holds secrets")
        texts += try await engine.operations().map { String(reflecting: $0) }
        texts += try await engine.auditTrail().map { String(reflecting: $0) }
        texts += engine.logs.lines + systems.logs.lines
        return texts
    }

    /// Two requests refused before queueing: their errors' texts.
    private func refusedRequests(_ person: String, _ engine: CloudQueueEngine) async throws -> [String] {
        var errors: [ServiceError] = []
        do {
            _ = try await engine.service.resetPassword(
                username: person, system: "servicenow", password: .chosen(GuardedString(canary + "-6")))
            Issue.record("a ServiceNow reset was queued")
        } catch {
            errors.append(error)
        }
        do {
            _ = try await engine.service.resetPassword(
                username: person, system: "entra", password: .chosen(GuardedString(canary + String(repeating: "-7", count: 30))))
            Issue.record("a password over the policy's 64 characters was queued")
        } catch {
            errors.append(error)
        }
        return errors.flatMap { [$0.message, String(describing: $0), String(reflecting: $0)] }
    }
}

/// Looks for a secret, as UTF-8 and JSON-escaped, in texts and files.
struct CanaryScan {
    let forms: [Data]

    init(_ secret: String) {
        let escaped = secret.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        forms = Array(Set([secret, escaped])).map { Data($0.utf8) }
    }

    /// The texts that hold the secret.
    func texts(_ texts: [String]) -> [String] {
        texts.filter { text in forms.contains { Data(text.utf8).range(of: $0) != nil } }
    }

    /// The regular files under `folder` that hold the secret.
    func files(under folder: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { folder.appendingPathComponent($0).path }.filter { path in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            return forms.contains { bytes.range(of: $0) != nil }
        }
    }
}
