import ArgumentParser
import Dispatch
import Foundation
import KeywardEngine
import KeywardStore
import Logging

/// `keyward run`: the queue's workers as a long-running process.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the queue's workers: execute due provisioning operations until stopped.",
        discussion: """
            Claims due operations from the store, runs them through their systems' connectors, \
            retries transient failures with each system's backoff (`retry:` in its connector file), \
            and logs one line per attempt to standard error (never a password).

            SIGTERM or SIGINT stops it gracefully: the operations in hand finish and are recorded, \
            then it exits 0. After a crash (or SIGKILL), the next start resumes the operations that \
            were running: execution is at least once, with idempotent effects (docs/queue.md).

            With `mail:` in keyward.yaml, it also delivers the notification mail waiting in the \
            store (each once the operations it reports on have executed).

            Run one `keyward run` (or `keyward serve`) per SQLite store; with a PostgreSQL store, \
            as many as you like, on any number of machines (docs/scale-out.md).

            Examples:
              keyward run                     # until SIGTERM
              keyward run --drain             # until nothing is due, then exit (cron, CI)
              keyward run --workers 8 --verbose
            """)

    @OptionGroup var options: ConfigOption

    @Flag(help: "Exit when no operation is due (retries scheduled for later are left for the next run).")
    var drain = false

    @Option(help: ArgumentHelp("How many operations run at once.", valueName: "n"))
    var workers = 4

    @Option(help: ArgumentHelp("Seconds to wait when nothing is due.", valueName: "seconds"))
    var pollInterval = 1.0

    @Flag(help: "Log every attempt (default: only failures, retries and the summary).")
    var verbose = false

    func validate() throws {
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        guard pollInterval > 0, pollInterval <= 3600 else { throw ValidationError("--poll-interval must be between 0 and 3600 seconds") }
    }

    func run() async throws {
        let runtime = try await Runtime.open(configPath: options.config)
        let executor = runtime.executor(concurrency: workers, level: verbose ? .info : .notice)
        let (_, outbox) = try runtime.desk(publicURL: "http://127.0.0.1:8080", logger: executor.logger)
        try await executor.recoverInterrupted()
        if drain {
            let count = try await executor.drain()
            if let outbox {
                let report = try await outbox.drain()
                Console.err("mail: \(report.sent) sent, \(report.retrying) waiting for a retry, \(report.givenUp) given up")
            }
            let counts = try await runtime.store.operationCounts()
            let waiting = (counts[.retrying] ?? 0) + (counts[.created] ?? 0)
            Console.err("ran \(count) attempt(s); \(waiting) operation(s) waiting for a later attempt")
            await runtime.close()
            return
        }
        let interval = Duration.milliseconds(Int(pollInterval * 1000))
        let worker = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await executor.run(pollInterval: interval) }
                if let outbox { group.addTask { try await outbox.run(pollInterval: interval) } }
                try await group.waitForAll()
            }
        }
        let stop = SignalWatch(signals: [SIGTERM, SIGINT]) { worker.cancel() }
        executor.logger.notice("keyward run: \(runtime.systems.count) system(s), \(workers) worker(s); SIGTERM stops")
        defer { stop.cancel() }
        try await worker.value
        await runtime.close()
        executor.logger.notice("keyward run: stopped")
    }
}

/// Calls `handler` when one of `signals` arrives. (Dispatch sources are
/// thread-safe; `sources` is never mutated after init.)
final class SignalWatch: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
