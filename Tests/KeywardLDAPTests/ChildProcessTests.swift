import Foundation
import KeywardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Test servers' child processes", .offThePool)
struct ChildProcessTests {
    @Test func aServerHoldsNoDescriptorOfOurs() throws {
        // A pipe like Foundation's: not closed on exec. A server that kept its
        // write end would keep the pipe's reader from ever seeing the end.
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer { pipeEnds.forEach { close($0) } }
        let pid = try ChildProcess.spawn(
            ["/bin/sleep", "10"], log: "/dev/null", environment: ["PATH=/usr/bin:/bin"])
        defer {
            kill(pid, SIGKILL)
            ChildProcess.reap(pid)
        }
        // posix_spawn returns once the child has run exec.
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        #expect(descriptors.sorted() == ["0", "1", "2"])
    }
}
