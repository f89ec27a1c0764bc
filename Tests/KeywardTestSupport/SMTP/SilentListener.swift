#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 that never accepts nor speaks: the kernel
/// completes the handshake, and the client waits for a greeting that never
/// comes. Not `listening`, it only reserves a free port until released.
public final class SilentListener {
    /// The port.
    public let port: Int
    private let socket: Int32

    /// Binds a free port, and listens on it when `listening`.
    public init(listening: Bool = true) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound, !listening || listen(socket, 4) == 0 else {
            close(socket)
            throw SMTPSinkError("could not bind 127.0.0.1")
        }
        self.socket = socket
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(socket)
    }
}
