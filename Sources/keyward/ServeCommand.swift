import ArgumentParser
import Foundation
import Hummingbird
import KeywardConfiguration
import KeywardEngine
import KeywardServer
import KeywardStore
import Logging

/// `keyward serve`: the JSON API and the pages people use, with the queue's
/// workers and the mail outbox's worker running beside them.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API and the web pages, and run the queue's and the mail's workers.",
        discussion: """
            One process does it all on one SQLite store: the HTTP server (the JSON API under \
            /api/v1 with bearer tokens from `keyward token create`, its description at /openapi.json; \
            the pages: /set-password/TOKEN for two-way links, /change for self-service, /helpdesk; \
            /healthz and /metrics), the queue's workers (as `keyward run`), and the worker that \
            delivers notification mail (`mail:` in keyward.yaml) once the operations it reports on \
            have executed.

            It listens on 127.0.0.1 unless told otherwise. Put it behind a reverse proxy that \
            terminates TLS for anything but a demo, and give that address as --public-url (an \
            https:// address also marks cookies Secure and turns on HSTS): the two-way links in \
            mail start with it.

            SIGTERM or SIGINT stops it gracefully: requests and operations in hand finish.

            Examples:
              keyward serve                                   # http://127.0.0.1:8080
              keyward serve --port 9000 --workers 8
              keyward serve --host 0.0.0.0 --public-url https://keyward.example.com
            """)

    @OptionGroup var options: ConfigOption

    @Option(help: ArgumentHelp("The address to listen on.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port to listen on (0: any free port).", valueName: "port"))
    var port = 8080

    @Option(help: ArgumentHelp(
        "The address people reach Keyward at (default http://HOST:PORT); links in mail start with it.",
        valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp("How many operations run at once.", valueName: "n"))
    var workers = 4

    @Flag(help: "Log every request and attempt (default: failures, retries and the start).")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        if let publicURL {
            guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                url.query == nil
            else {
                throw ValidationError("--public-url must be an http:// or https:// address, such as https://keyward.example.com")
            }
        }
    }

    func run() async throws {
        let runtime = try await Runtime.open(configPath: options.config)
        var logger = Logger(label: "keyward") { label in StandardErrorLog(label: label) }
        logger.logLevel = verbose ? .info : .notice
        let port = self.port == 0 ? FreePort.find(host: host) ?? 0 : self.port
        let address = publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        let settings = ServerSettings(publicURL: address, secureTransport: address.hasPrefix("https://"))
        let (desk, outbox) = try runtime.desk(publicURL: settings.publicURL, logger: logger)
        let dependencies = ServerDependencies(
            desk: desk, store: runtime.store, systems: runtime.systems, settings: settings, logger: logger)
        let executor = {
            var executor = runtime.executor(concurrency: workers, level: logger.logLevel)
            let metrics = dependencies.metrics
            executor.observer = { metrics.record($0) }
            return executor
        }()
        try await executor.recoverInterrupted()
        var services = [WorkerService(name: "queue") { try await executor.run() }]
        if let outbox {
            services.append(WorkerService(name: "mail") { try await outbox.run() })
        } else {
            logger.notice("no `mail:` in \(runtime.configuration.file): initialization is off, and no confirmations are sent")
        }
        let (systems, folder) = (runtime.systems.count, runtime.mailFolder)
        let application = Application(
            router: KeywardServer.router(dependencies),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services,
            onServerRunning: { _ in
                Console.out(Self.banner(url: address, systems: systems, workers: workers, mailFolder: folder))
            },
            logger: logger)
        try await application.runService()
        await runtime.close()
        logger.notice("keyward serve: stopped")
    }

    /// Where to click, printed once the server listens.
    static func banner(url: String, systems: Int, workers: Int, mailFolder: String?) -> String {
        var lines = [
            "Keyward is serving \(systems) system(s) with \(workers) worker(s) at \(url)",
            "  helpdesk:         \(url)/helpdesk   (sign in with a token: keyward token create --name NAME --scope helpdesk)",
            "  change password:  \(url)/change",
            "  API:              \(url)/api/v1  (described at \(url)/openapi.json)",
            "  health, metrics:  \(url)/healthz, \(url)/metrics",
        ]
        if let mailFolder { lines.append("  mail is written to \(mailFolder)/ (one .eml file per message)") }
        lines.append("Stop with Ctrl-C.")
        return lines.joined(separator: "\n")
    }
}
