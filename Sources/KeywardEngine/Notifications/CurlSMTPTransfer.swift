import CCurl
import KeywardCore
import Synchronization

/// One SMTP delivery through libcurl's easy interface. It blocks: run it
/// off Swift's cooperative pool (``SMTPMailer`` does).
///
/// Every option that matters for safety is set explicitly: smtp and smtps
/// only, STARTTLS required (`CURLUSESSL_ALL`), TLS 1.2 or later, the peer's
/// certificate and host name verified, no signals. The password is handed to
/// curl from a NUL-terminated copy that is wiped right after (curl keeps its
/// own copy until the handle is cleaned up); the message is read from its
/// `GuardedString` by a read callback, in place.
struct CurlSMTPTransfer {
    var url: String
    var username: String?
    var password: GuardedString?
    var caCertificate: String?
    var connectTimeoutMilliseconds: Int
    var timeoutMilliseconds: Int
    var sender: String
    var recipients: [String]
    var message: GuardedString

    /// What curl said.
    struct Outcome: Sendable {
        var code: Int
        /// The last SMTP reply code (0 when there was none).
        var responseCode: Int
        /// curl's error text (may be empty); screen it before showing it.
        var errorText: String
    }

    /// libcurl must be initialised once, before any thread uses it.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Runs the transfer and waits for it.
    func perform(cancelled flag: CancellationFlag) -> Outcome {
        guard Self.initialized, let handle = curl_easy_init() else {
            return Outcome(code: Int(CURLE_FAILED_INIT.rawValue), responseCode: 0, errorText: "")
        }
        defer { curl_easy_cleanup(handle) }
        var recipientList: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients { recipientList = curl_slist_append(recipientList, "<\(recipient)>") }
        defer { curl_slist_free_all(recipientList) }
        let source = MessageSource(message: message, cancelled: flag)
        let context = Unmanaged.passUnretained(source).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code = errorBuffer.withUnsafeMutableBufferPointer { errors -> CURLcode in
            var result = configure(handle, recipients: recipientList, context: context, errors: errors.baseAddress!)
            if result == CURLE_OK { result = setPassword(handle) }
            if result == CURLE_OK { result = curl_easy_perform(handle) }
            return result
        }
        withExtendedLifetime(source) {}
        var response = 0
        _ = keyward_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &response)
        let text = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Outcome(code: Int(code.rawValue), responseCode: response, errorText: text)
    }

    private func configure(
        _ handle: UnsafeMutableRawPointer, recipients: UnsafeMutablePointer<curl_slist>?, context: UnsafeMutableRawPointer,
        errors: UnsafeMutablePointer<CChar>
    ) -> CURLcode {
        var steps: [() -> CURLcode] = [
            { keyward_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors) },
            { keyward_curl_setopt_string(handle, CURLOPT_URL, url) },
            { keyward_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps") },
            { keyward_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) },
            { keyward_curl_setopt_long(handle, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2) },
            { keyward_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1) },
            { keyward_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2) },
            { keyward_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) },
            { keyward_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds) },
            { keyward_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds) },
            { keyward_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(sender)>") },
            { keyward_curl_setopt_pointer(handle, CURLOPT_MAIL_RCPT, recipients) },
            { keyward_curl_setopt_long(handle, CURLOPT_UPLOAD, 1) },
            { keyward_curl_setopt_read_function(handle, readMessage) },
            { keyward_curl_setopt_pointer(handle, CURLOPT_READDATA, context) },
            { keyward_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0) },
            { keyward_curl_setopt_xferinfo_function(handle, abortIfCancelled) },
            { keyward_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context) },
        ]
        if let caCertificate { steps.append { keyward_curl_setopt_string(handle, CURLOPT_CAINFO, caCertificate) } }
        if let username { steps.append { keyward_curl_setopt_string(handle, CURLOPT_USERNAME, username) } }
        for step in steps {
            let result = step()
            if result != CURLE_OK { return result }
        }
        return CURLE_OK
    }

    /// Gives curl the password from a wiped, NUL-terminated copy.
    private func setPassword(_ handle: UnsafeMutableRawPointer) -> CURLcode {
        guard let password else { return CURLE_OK }
        return password.withUnsafeBytes { bytes in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
            defer {
                SecureMemory.zero(copy)
                copy.deallocate()
            }
            copy.copyMemory(from: bytes)
            copy[bytes.count] = 0
            return keyward_curl_setopt_string(handle, CURLOPT_PASSWORD, copy.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
    }
}

/// Whether the task waiting for a transfer was cancelled.
final class CancellationFlag: Sendable {
    private let value = Atomic(false)
    /// Marks the transfer cancelled.
    func cancel() { value.store(true, ordering: .relaxed) }
    /// Whether it was.
    var isCancelled: Bool { value.load(ordering: .relaxed) }
}

/// The read position in the message, for the read callback.
private final class MessageSource {
    let message: GuardedString
    let cancelled: CancellationFlag
    var offset = 0

    init(message: GuardedString, cancelled: CancellationFlag) {
        self.message = message
        self.cancelled = cancelled
    }
}

/// `CURLOPT_READFUNCTION`: copies the next bytes of the message into curl's buffer.
private func readMessage(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue()
    return source.message.withUnsafeBytes { bytes in
        let length = min(size * count, bytes.count - source.offset)
        guard length > 0 else { return 0 }
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + source.offset, byteCount: length)
        source.offset += length
        return length
    }
}

/// `CURLOPT_XFERINFOFUNCTION`: a non-zero return aborts the transfer (curl 42).
private func abortIfCancelled(_ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    return Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue().cancelled.isCancelled ? 1 : 0
}
