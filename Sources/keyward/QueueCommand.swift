import ArgumentParser
import Foundation
import KeywardStore

/// `keyward queue list|show|retry|cancel`.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "See and steer the provisioning queue.",
        discussion: """
            Operations move created → running → executed, or failed (refused for good), or \
            retrying (a transient failure) → … → blocked (retries ran out); cancelled by an admin. \
            Nothing shown here is secret: passwords live encrypted in confidential storage, and are \
            deleted when their operation ends.
            """,
        subcommands: [List.self, Show.self, Retry.self, Cancel.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List operations, newest first.",
            discussion: """
                Examples:
                  keyward queue list
                  keyward queue list --state blocked --state failed
                  keyward queue list --user jdoe --json
                """)

        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("Only this state (repeatable): \(OperationState.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "state"))
        var state: [String] = []
        @Option(help: ArgumentHelp("Only this person's.", valueName: "username"))
        var user: String?
        @Option(help: ArgumentHelp("Only this system's.", valueName: "name"))
        var system: String?
        @Option(help: ArgumentHelp("At most this many.", valueName: "n"))
        var limit = 100
        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            var states: Set<OperationState> = []
            for name in state {
                guard let parsed = OperationState(rawValue: name) else {
                    throw CommandError(
                        "unknown state '\(name)'; the states are \(OperationState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                states.insert(parsed)
            }
            let store = try await QueueCommand.openStore(options)
            let operations = try await store.operations(OperationFilter(states: states, username: user, system: system, limit: limit))
            if json {
                for operation in operations { Console.out(QueueReport.json(operation)) }
                return
            }
            if operations.isEmpty { Console.out("no operations") }
            for operation in operations { Console.out(QueueReport.line(operation)) }
            let counts = try await store.operationCounts()
            let summary = OperationState.allCases.compactMap { state in
                counts[state].flatMap { $0 > 0 ? "\($0) \(state.rawValue)" : nil }
            }
            Console.out("in all: " + (summary.isEmpty ? "empty" : summary.joined(separator: ", ")))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one operation: its attributes (secrets named, never shown), attempts and result.",
            discussion: "Examples:\n  keyward queue show 12\n  keyward queue show 12 --json")

        @OptionGroup var options: ConfigOption
        @Argument(help: "The operation's number.")
        var id: Int64
        @Flag(help: "As a JSON object.")
        var json = false

        func run() async throws {
            let store = try await QueueCommand.openStore(options)
            guard let operation = try await store.operation(id: id) else {
                throw CommandError("no operation \(id) (see `keyward queue list`)")
            }
            Console.outRaw(json ? QueueReport.json(operation) + "\n" : QueueReport.details(operation))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Make a retrying operation due now, or queue a failed or blocked one again.",
            discussion: """
                An operation that carried a password cannot be queued again once it ended: its \
                password was deleted. Request it anew (keyward password reset …).

                Examples:
                  keyward queue retry 12 && keyward run --drain
                """)

        @OptionGroup var options: ConfigOption
        @Argument(help: "The operation's number.")
        var id: Int64

        func run() async throws {
            try await QueueCommand.steer(options) { store in
                try await store.retry(operationID: id, actor: Runtime.actor, now: Date())
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Cancel a queued or retrying operation; its secrets are deleted.",
            discussion: "Examples:\n  keyward queue cancel 12")

        @OptionGroup var options: ConfigOption
        @Argument(help: "The operation's number.")
        var id: Int64

        func run() async throws {
            try await QueueCommand.steer(options) { store in
                try await store.cancel(operationID: id, actor: Runtime.actor, now: Date())
            }
        }
    }

    /// Runs `change` on one operation and prints it as it is afterwards.
    static func steer(
        _ options: ConfigOption, _ change: (any ServingStore) async throws -> QueuedOperation
    ) async throws {
        let store = try await openStore(options)
        do {
            Console.out(QueueReport.line(try await change(store)))
        } catch let error as StoreError {
            throw CommandError(error.message)
        }
    }

    static func openStore(_ options: ConfigOption) async throws(CommandError) -> any ServingStore {
        let configuration = try Runtime.loadConfiguration(options.config)
        return try await Runtime.openStore(configuration, keyring: try Runtime.keyring(for: configuration))
    }
}

/// Texts for queue operations: one line, details, JSON. Never a secret.
enum QueueReport {
    static func line(_ operation: QueuedOperation) -> String {
        var text = "#\(operation.id) \(operation.state.rawValue) \(operation.action.rawValue) \(operation.uid) on \(operation.system)"
        text += " (\(operation.username), attempt \(operation.attempts)/\(operation.maxAttempts))"
        if let result = operation.result { text += ": \(result.code): \(result.message)" }
        return text
    }

    static func details(_ operation: QueuedOperation) -> String {
        let time = ISO8601DateFormatter()
        var lines = [
            "operation:  \(operation.id)",
            "request:    \(operation.requestID) by \(operation.requestedBy)",
            "state:      \(operation.state.rawValue)\(operation.wasInterrupted ? " (interrupted by a stop or crash)" : "")",
            "action:     \(operation.action.rawValue)",
            "system:     \(operation.system)",
            "account:    \(operation.uid) (\(operation.username))",
            "attempts:   \(operation.attempts) of \(operation.maxAttempts)",
            "queued:     \(time.string(from: operation.createdAt))",
            "updated:    \(time.string(from: operation.updatedAt))",
        ]
        if operation.state == .retrying || operation.state == .created {
            lines.append("due:        \(time.string(from: operation.nextAttemptAt))")
        }
        if let mustChange = operation.mustChange { lines.append("mustChange: \(mustChange)") }
        if let result = operation.result { lines.append("result:     \(result.code): \(result.message)") }
        lines.append("secrets:    \(operation.holdsSecrets ? "held, encrypted" : "none held")")
        lines.append("attributes:")
        for attribute in operation.attributes {
            let value = attribute.isSecret ? "<secret>" : attribute.value.map { "\"\($0)\"" } ?? "nil"
            lines.append("  \(attribute.name) = \(value)\(attribute.isPassword ? " [password]" : "")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ operation: QueuedOperation) -> String {
        var object: [String: Any] = [
            "id": operation.id, "requestID": operation.requestID, "requestedBy": operation.requestedBy,
            "system": operation.system, "username": operation.username, "uid": operation.uid,
            "action": operation.action.rawValue, "state": operation.state.rawValue, "attempts": operation.attempts,
            "maxAttempts": operation.maxAttempts, "interrupted": operation.wasInterrupted,
            "holdsSecrets": operation.holdsSecrets,
            "createdAt": ISO8601DateFormatter().string(from: operation.createdAt),
            "updatedAt": ISO8601DateFormatter().string(from: operation.updatedAt),
            "nextAttemptAt": ISO8601DateFormatter().string(from: operation.nextAttemptAt),
            "attributes": operation.attributes.map { attribute -> [String: Any] in
                var entry: [String: Any] = ["name": attribute.name, "secret": attribute.isSecret, "password": attribute.isPassword]
                if let value = attribute.value { entry["value"] = value }
                return entry
            },
        ]
        if let result = operation.result { object["result"] = ["code": result.code, "message": result.message] }
        if let mustChange = operation.mustChange { object["mustChange"] = mustChange }
        return JSONText.encode(object)
    }
}

/// JSON text with sorted keys, one line.
enum JSONText {
    static func encode(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
