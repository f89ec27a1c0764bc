import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardLDAP
import KeywardTestSupport
import Testing

/// The canary through the real engine to slapd (the `ldap` connector), in
/// both ways it sets a password. Afterwards its UTF-8 and UTF-16LE bytes
/// are in no file of the store's folder, no text the engine produced, and
/// not in slapd's log (stats level, `-d 256`).
@Suite("Queue: the canary through slapd", .offThePool, .slapd, .serialized)
struct QueueCanarySlapdTests {
    var server: SlapdServer { SlapdServer.current! }

    @Test(arguments: ["passwordModify", "userPassword"])
    func theCanaryLeavesNoTraceInTheStoreTheEngineOrSlapdsLog(passwordReset: String) async throws {
        let directory = try QueueDirectory.slapd(server, passwordReset: passwordReset)
        let engine = try QueueEngine(system: directory.system)
        let journey = QueueCanaryJourney(directory: directory, engine: engine, tag: "s")
        let texts = try await journey.run()
        let scan = QueueCanaryScan(Canary.password)

        #expect(scan.texts(texts) == [])
        #expect(Set(try engine.storeFiles()).isSuperset(of: ["keyward.db", "keyward.db-wal"]))
        #expect(try scan.files(under: engine.folder.path) == [])
        // The log recorded the journey's requests, at the level the server runs.
        let log = String(decoding: server.logBytes(), as: UTF8.self)
        #expect(log.contains(SlapdServer.personDN(journey.person)))
        #expect(try scan.files([server.logPath]) == [])

        try scan.expectFindsPlantedCanary(in: engine.folder, copying: server.logPath, texts: texts)
    }
}
