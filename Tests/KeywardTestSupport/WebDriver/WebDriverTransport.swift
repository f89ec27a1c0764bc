import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// JSON over HTTP/1.1 to a WebDriver server on 127.0.0.1 (W3C WebDriver:
/// every answer is `{"value": …}`, an error's value holds `error` and
/// `message`).
///
/// A plain socket per command (`Connection: close`), on a thread of its
/// own: Foundation's `URLSession` on Linux fails on chromedriver's answers
/// ("Failed writing header"), and this target has no HTTP client package.
/// The thread keeps the blocking I/O off Swift's cooperative pool, which the
/// server under test needs while the browser waits for it.
struct WebDriverTransport: Sendable {
    /// The driver's port on 127.0.0.1.
    let port: Int

    /// `http://127.0.0.1:PORT`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Sends `method path` with `body` (a JSON object), returns the answer's `value`.
    func send(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let payload: Data? =
            if let body { try JSONSerialization.data(withJSONObject: body) } else { method == "POST" ? Data("{}".utf8) : nil }
        let port = port
        let (status, data) = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int, Data), any Error>) in
            Thread {
                continuation.resume(with: Result { try HTTPExchange.run(port: port, method: method, path: path, body: payload) })
            }.start()
        }
        let object = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) as? [String: Any]
        let value = object?["value"]
        if status >= 400 {
            let details = value as? [String: Any]
            throw WebDriverError(
                code: details?["error"] as? String ?? "http \(status)",
                message: "\(method) \(path): \(details?["message"] as? String ?? String(decoding: data, as: UTF8.self))")
        }
        return value is NSNull ? nil : value
    }
}

/// One blocking HTTP/1.1 request and its answer, over a socket to 127.0.0.1.
enum HTTPExchange {
    /// Sends the request and reads the answer to the end: its status and body.
    static func run(port: Int, method: String, path: String, body: Data?) throws -> (Int, Data) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw failure("socket", path) }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 180, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw failure("connect", path) }

        var request = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: application/json\r\n".utf8)
        if let body {
            request.append(Data("Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\n".utf8))
        }
        request.append(Data("Connection: close\r\n\r\n".utf8))
        if let body { request.append(body) }
        try request.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let count = Glibc.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                guard count > 0 else { throw failure("send", path) }
                sent += count
            }
        }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        // chromedriver keeps the connection open whatever the request says:
        // read until the answer is complete, not until the end of the stream.
        while !isComplete(response) {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw failure("receive", path) }
            response.append(contentsOf: buffer[0..<count])
        }
        return try parse(response, path: path)
    }

    /// Whether `response` holds the whole answer: its head, then as many
    /// bytes as `Content-Length` says, or a chunked body's last chunk.
    static func isComplete(_ response: Data) -> Bool {
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { return false }
        let head = String(decoding: response[..<split.lowerBound], as: UTF8.self).lowercased()
        let received = response.distance(from: split.upperBound, to: response.endIndex)
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            return received >= Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        if head.contains("transfer-encoding:") && head.contains("chunked") {
            return response.suffix(5) == Data("0\r\n\r\n".utf8)
        }
        return false
    }

    /// The status and body of a whole answer (`Content-Length` or chunked).
    static func parse(_ response: Data, path: String) throws -> (Int, Data) {
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else {
            throw WebDriverError(code: "transport", message: "\(path): no HTTP answer")
        }
        let head = String(decoding: response[..<split.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw WebDriverError(code: "transport", message: "\(path): bad status line \(statusLine)")
        }
        var body = Data(response[split.upperBound...])
        let lowered = head.lowercased()
        if lowered.contains("transfer-encoding:") && lowered.contains("chunked") { body = dechunk(body) }
        return (status, body)
    }

    /// The body of a chunked answer.
    static func dechunk(_ data: Data) -> Data {
        var output = Data()
        var rest = data[...]
        while let line = rest.range(of: Data("\r\n".utf8)) {
            let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
            guard size > 0, rest.distance(from: line.upperBound, to: rest.endIndex) >= size else { break }
            let start = line.upperBound
            let end = rest.index(start, offsetBy: size)
            output.append(rest[start..<end])
            rest = rest[rest.index(end, offsetBy: min(2, rest.distance(from: end, to: rest.endIndex)))...]
        }
        return output
    }

    private static func failure(_ step: String, _ path: String) -> WebDriverError {
        WebDriverError(code: "transport", message: "\(step) failed for \(path): \(String(cString: strerror(errno)))")
    }
}
