import KeywardConnectors
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a pool logs: starts, replacements and failures; never a line the
/// plugin wrote, only the size of its stderr.
struct PluginLog: Sendable {
    let logger: Logger
    let subject: String

    func started(pid: pid_t, description: PluginDescription) {
        logger.debug("\(subject): plugin \(description.title) started (pid \(pid), protocol \(description.protocolVersion))")
    }

    func replaced(pid: pid_t, stderrBytes: Int) {
        logger.notice(
            "\(subject): plugin pid \(pid) ended or wrote output between requests (stderr: \(stderrBytes) bytes, never shown); starting a new one")
    }

    func failed(_ failure: PluginFailure, operation: String) {
        logger.warning("\(failure.connectorError(subject, operation: operation).message)")
    }
}
