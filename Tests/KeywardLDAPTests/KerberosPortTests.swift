import Foundation
import KeywardTestSupport
import Testing

/// Tests find a free port by binding port 0 and closing it; another process
/// may take it before the KDC binds it.
@Suite("Test servers: a port taken before the KDC binds it", .offThePool)
struct KerberosPortTests {
    @Test func theKDCsErrorSaysTheAddressIsInUse() throws {
        // Bound, not listening: as a port another process has just taken.
        let taken = try KeywardTestSupport.SilentListener(listening: false)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyward-kdc-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = #expect(throws: SlapdError.self) {
            try SlapdKerberos.start(in: directory, port: taken.port).stop()
        }
        // SlapdServer.start starts again on new ports when it reads this.
        #expect(error?.description.contains("Address already in use") == true)
        #expect(error?.description.contains("port \(taken.port)") == true)
    }
}
