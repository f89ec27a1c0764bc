import Foundation
import KeywardTestSupport

#if canImport(Glibc)
import Glibc
#endif

extension SlapdServer {
    /// Runs a tool to completion; throws with its output when it fails.
    /// `environment` replaces the process's when given.
    static func run(_ executable: String, _ arguments: [String], environment: [String]? = nil) throws {
        try TestTool.run(executable, arguments, environment: environment)
    }

    /// Whether something accepts TCP connections on `host`:`port`.
    static func accepts(port: Int, host: String = "127.0.0.1") -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
