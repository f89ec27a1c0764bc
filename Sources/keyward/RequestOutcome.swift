import ArgumentParser
import Foundation
import KeywardCore
import KeywardEngine
import KeywardStore

/// How a command that queues a request ends: it runs the request's
/// operations (unless `--no-wait`), prints one line per operation, and
/// exits 1 if any ended `failed` or `blocked`.
struct RequestOutcome {
    let runtime: Runtime

    /// What `--no-wait` and `--show-password` mean for every such command.
    struct Options: ParsableArguments {
        @Flag(help: "Only queue the operations; `keyward run` executes them.")
        var noWait = false
    }

    /// Makes the request with `request`, then runs and
    /// reports its operations. A refusal is a ``CommandError`` (status 2).
    @discardableResult
    static func submit(
        _ runtime: Runtime, wait: Bool, showPassword: Bool = false,
        _ request: (ProvisioningService) async throws(ServiceError) -> ProvisioningService.Receipt
    ) async throws -> ProvisioningService.Receipt {
        let service = try runtime.service()
        let receipt: ProvisioningService.Receipt
        do throws(ServiceError) {
            receipt = try await request(service)
        } catch {
            throw error.commandError
        }
        Self.showPassword(receipt, requested: showPassword)
        try await RequestOutcome(runtime: runtime).finish(receipt, wait: wait)
        return receipt
    }

    /// Runs the receipt's operations and reports them.
    func finish(_ receipt: ProvisioningService.Receipt, wait: Bool) async throws {
        guard wait else {
            Console.out("queued operation(s) \(receipt.operationIDs.map(String.init).joined(separator: ", ")) (request \(receipt.requestID)); `keyward run` executes them")
            return
        }
        let executor = runtime.executor()
        var pending = Set(receipt.operationIDs)
        while !pending.isEmpty {
            let ran = try await executor.runBatch()
            var stillPending: Set<Int64> = []
            for id in pending {
                guard let operation = try await runtime.store.operation(id: id) else { continue }
                if !operation.state.isTerminal, !(operation.state == .retrying && operation.nextAttemptAt > Date()) {
                    stillPending.insert(id)
                }
            }
            pending = stillPending
            if ran == 0 && !pending.isEmpty {
                // Due operations of this request wait behind earlier ones on the same account.
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        var failed = false
        for id in receipt.operationIDs {
            guard let operation = try await runtime.store.operation(id: id) else { continue }
            Console.out(Self.line(operation))
            failed = failed || operation.state == .failed || operation.state == .blocked
        }
        if failed { throw ExitStatus.failure }
    }

    /// `hr: operation 12 executed: create jdoe (password set)`.
    static func line(_ operation: QueuedOperation) -> String {
        var text = "\(operation.system): operation \(operation.id) \(operation.state.rawValue): \(operation.action.rawValue) \(operation.uid)"
        if let result = operation.result { text += " (\(result.message))" }
        if operation.state == .retrying {
            text += "; next attempt at \(ISO8601DateFormatter().string(from: operation.nextAttemptAt)) by `keyward run`"
        }
        return text
    }

    /// Prints a generated password only when asked to and standard output is a terminal.
    static func showPassword(_ receipt: ProvisioningService.Receipt, requested: Bool) {
        guard let password = receipt.generatedPassword else { return }
        if requested {
            password.withPlaintext { Console.out("password: \($0)") }
        } else {
            Console.out("password: generated, not shown (--show-password prints it on a terminal)")
        }
    }

    /// Refuses `--show-password` when standard output is not a terminal.
    static func checkShowPassword(_ requested: Bool) throws {
        if requested && isatty(STDOUT_FILENO) == 0 {
            throw CommandError("--show-password prints the password only to a terminal; standard output is not one")
        }
    }
}

extension ServiceError {
    /// The command's error: refused before anything ran.
    var commandError: CommandError { CommandError(message) }
}
