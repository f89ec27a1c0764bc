import KeywardConnectors

/// Why a plugin gave no usable answer. Every case but
/// ``Reason/unencodableSecret(attribute:)`` stops the plugin process: the
/// next request starts a fresh one.
///
/// Nothing here holds what the plugin wrote: not its answer, not its stderr
/// (only the stderr's size), so that an echoed secret cannot leak through
/// an error.
struct PluginFailure: Error, Sendable {
    enum Reason: Sendable, Equatable {
        /// The program could not be started (the system's reason).
        case cannotStart(String)
        /// No answer within the timeout; the process was killed.
        case timedOut(Duration)
        /// The process ended (or closed its output) before answering.
        case exited(String)
        /// A line longer than ``PluginProtocol/maximumLineBytes``.
        case lineTooLong
        /// A line that is not JSON, of this many bytes.
        case notJSON(bytes: Int)
        /// JSON of the wrong shape: what is wrong, in Keyward's words.
        case malformed(String)
        /// An answer to another request (the id it carried, or "none").
        case wrongID(expected: Int, received: String)
        /// An answer that holds a secret of the request.
        case echoedSecret
        /// The plugin speaks another protocol version.
        case versionMismatch(plugin: Int)
        /// The plugin answered the hello with an error.
        case refused(kind: ConnectorError.Kind, message: String)
        /// A secret that is not UTF-8 text (nothing was sent).
        case unencodableSecret(attribute: String)
    }

    /// What happened.
    let reason: Reason
    /// How many bytes the process wrote to stderr (never what).
    var stderrBytes = 0

    /// Whether the process is gone after this failure.
    var stopsProcess: Bool {
        if case .unencodableSecret = reason { return false }
        return true
    }

    /// The failure as a connector error for `operation` on `subject`
    /// (`system 'NAME'` or `the plugin`).
    func connectorError(_ subject: String, operation: String) -> ConnectorError {
        let restart = "; it was stopped and starts afresh for the next operation"
        let stderr = " (stderr: \(stderrBytes) bytes, never shown)"
        switch reason {
        case .cannotStart(let why):
            return ConnectorError(.configuration, "\(subject): cannot start the plugin: \(why)")
        case .timedOut(let limit):
            return ConnectorError(
                .timedOut, "\(subject): the plugin did not answer \(operation) within \(Self.seconds(limit)) s\(stderr); "
                    + "it was killed and starts afresh for the next operation")
        case .exited(let how):
            return ConnectorError(
                .unreachable, "\(subject): the plugin \(how) during \(operation)\(stderr); it starts afresh for the next operation")
        case .lineTooLong:
            return ConnectorError(
                .protocolError,
                "\(subject): the plugin's answer to \(operation) is longer than \(PluginProtocol.maximumLineBytes >> 20) MiB, "
                    + "the protocol's limit for one line\(stderr)\(restart)")
        case .notJSON(let bytes):
            return ConnectorError(
                .protocolError,
                "\(subject): the plugin's answer to \(operation) is not a JSON object (\(bytes) bytes, not shown)\(stderr)\(restart)")
        case .malformed(let problem):
            return ConnectorError(.protocolError, "\(subject): the plugin's answer to \(operation) \(problem)\(restart)")
        case .wrongID(let expected, let received):
            return ConnectorError(
                .protocolError,
                "\(subject): the plugin answered request \(expected) (\(operation)) with id \(received): answers must come "
                    + "in order, one per request, with the request's id\(restart)")
        case .echoedSecret:
            return ConnectorError(
                .protocolError,
                "\(subject): the plugin's answer to \(operation) contained a secret Keyward had sent it (not shown); "
                    + "an answer must never hold a secret\(restart)")
        case .versionMismatch(let plugin):
            return ConnectorError(
                .configuration,
                "\(subject): the plugin speaks protocol version \(plugin), this Keyward speaks version "
                    + "\(PluginProtocol.version) (docs/plugin-protocol.md); update the plugin or Keyward")
        case .refused(let kind, let message):
            return ConnectorError(kind, "\(subject): the plugin refused to start: \(message)")
        case .unencodableSecret(let attribute):
            return ConnectorError(
                .failed,
                "\(subject): the value of \(attribute) is not UTF-8 text, which the plugin protocol cannot carry; "
                    + "have its script encode it (base64 or hex)")
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return String(seconds) }
        return String(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
