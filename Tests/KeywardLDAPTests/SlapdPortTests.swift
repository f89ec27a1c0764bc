import Foundation
import KeywardTestSupport
import Testing

/// Tests find a free port by binding port 0 and closing it; another process
/// may take it before slapd binds it.
@Suite("Test servers: a port taken before slapd binds it", .offThePool)
struct SlapdPortTests {
    @Test func slapdStartsAgainOnOtherPorts() throws {
        // Bound, not listening: as a port another process has just taken.
        let taken = try KeywardTestSupport.SilentListener(listening: false)
        var handedOut: [Int] = []
        let server = try SlapdServer.start {
            let port = handedOut.isEmpty ? taken.port : try FreePort.next()
            handedOut.append(port)
            return port
        }
        defer { server.destroy() }
        // The first try got the taken port and failed; the second got two new ones.
        #expect(handedOut.count == 4)
        #expect(handedOut.first == taken.port)
        #expect(server.ldapPort != taken.port && server.ldapsPort != taken.port)
        #expect(handedOut.suffix(2) == [server.ldapPort, server.ldapsPort])
        let log = String(decoding: server.logBytes(), as: UTF8.self)
        #expect(!log.contains("Address already in use"), "the running slapd's log is the second try's")
    }
}
