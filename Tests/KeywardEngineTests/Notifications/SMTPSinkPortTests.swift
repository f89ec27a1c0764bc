import Foundation
import KeywardTestSupport
import Testing

/// The test mail server finds a free port by binding port 0 and closing it;
/// another process may take that port before the sink binds it.
@Suite("SMTP sink: a port taken before it binds", .offThePool)
struct SMTPSinkPortTests {
    @Test func theSinkMovesToTheNextPort() throws {
        let taken = try SilentListener()
        let free = try FreePort.next()
        var ports = [taken.port, free].makeIterator()
        let sink = try SMTPSink.start(.starttls) {
            let port = ports.next()
            return try #require(port, "the sink asked for a third port")
        }
        defer { sink.stop() }
        #expect(sink.port == free)
        #expect(sink.url == "smtp://127.0.0.1:\(free)")
    }

    @Test func aSinkThatCannotBindSaysOnWhichPort() throws {
        let taken = try SilentListener()
        var asked = 0
        let error = #expect(throws: SMTPSinkError.self) {
            try SMTPSink.start(.starttls) {
                asked += 1
                return taken.port
            }
        }
        #expect(asked == 3)
        #expect(error?.description.contains("did not start on port \(taken.port)") == true)
        #expect(error?.description.localizedCaseInsensitiveContains("address already in use") == true)
    }
}
