import Foundation
import KeywardEngine
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

extension SambaADTests {
    /// The canary through the real engine to Samba (the `ad` connector), in
    /// both auth modes. Afterwards its UTF-8 and UTF-16LE bytes are in no
    /// file of the store's folder, no text the engine produced, and no file
    /// of Samba's log folder, at the log level of the template's smb.conf
    /// (which sets none: the default, 0).
    @Suite("Queue: the canary through Samba", .sambaDC)
    struct QueueCanary {
        var server: SambaServer { SambaServer.current! }

        @Test(arguments: ADAuthMode.allCases)
        func theCanaryLeavesNoTraceInTheStoreTheEngineOrSambasLogs(mode: ADAuthMode) async throws {
            let directory = try QueueDirectory.samba(server, mode: mode)
            let engine = try QueueEngine(system: directory.system)
            let journey = QueueCanaryJourney(directory: directory, engine: engine, tag: mode == .basic ? "b" : "n")
            let texts = try await journey.run()
            let scan = QueueCanaryScan(Canary.password)

            #expect(scan.texts(texts) == [])
            #expect(Set(try engine.storeFiles()).isSuperset(of: ["keyward.db", "keyward.db-wal"]))
            #expect(try scan.files(under: engine.folder.path) == [])
            // At level 0 the log holds little more than each start of the DC;
            // both starts of this run (the journey restarts it) are there.
            let log = server.directory + "/log/samba.log"
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: log)), as: UTF8.self)
            #expect(text.components(separatedBy: "samba version").count - 1 >= 2)
            let logs = try QueueCanaryScan.regularFiles(under: server.directory + "/log")
            #expect(logs.contains(log))
            #expect(try scan.files(logs) == [])

            try scan.expectFindsPlantedCanary(in: engine.folder, copying: log, texts: texts)
        }
    }
}
