import ArgumentParser

/// The exit statuses every `keyward` command uses, so that shell scripts and
/// CI can trust them.
///
/// | status | meaning |
/// |---|---|
/// | 0 | success: the scripts are clean, the dry run succeeded, every case passed |
/// | 1 | the scripts were read, and they failed: error-level findings, a failed run, a failed case |
/// | 2 | the command could not do its job: a usage error, a file that cannot be read, a malformed case file |
enum ExitStatus {
    /// Everything passed.
    static let success = ExitCode(0)
    /// The scripts were read, and they failed.
    static let failure = ExitCode(1)
    /// A usage, input or environment error: nothing could be judged.
    static let usage = ExitCode(2)
}

/// A usage or input error: one line that names the file (and the line, when
/// there is one) and says what to do. Exits with status 2.
///
/// The message never holds a secret: it is built from paths, positions and
/// fixed text, never from a value the author typed.
struct CommandError: Error, CustomStringConvertible {
    /// The one-line message, without the `error: ` prefix.
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
