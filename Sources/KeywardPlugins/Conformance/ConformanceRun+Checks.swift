import KeywardConnectors
import KeywardCore

extension ConformanceRun {
    /// The hello: a protocol version Keyward speaks, a name, capabilities
    /// whose operations are declared, and no unknown names.
    func hello() async -> Bool {
        do throws(ConnectorError) {
            let description = try await pool.describe()
            self.description = description
            if let id = await pool.processIDs().first { processIDs.append(id) }
            let capabilities = PasswordOperation.allCases.filter(description.capabilities.contains).map(\.rawValue)
            let operations = PluginOperation.all.filter(description.operations.contains).map(\.rawValue)
            record(
                "hello", .passed,
                "\(description.title), protocol \(description.protocolVersion); capabilities: "
                    + "\(capabilities.isEmpty ? "none" : capabilities.joined(separator: ", ")); "
                    + "operations: \(operations.isEmpty ? "none" : operations.joined(separator: ", "))")
            if description.unknownNames.isEmpty {
                record("hello names only known capabilities and operations", .passed)
            } else {
                record(
                    "hello names only known capabilities and operations", .failed,
                    "unknown: \(description.unknownNames.joined(separator: ", "))")
            }
            return true
        } catch {
            record("hello", .failed, error.message)
            return false
        }
    }

    /// `test`, when declared.
    func service() async {
        guard declares(.test, for: "test") else { return }
        await expectResult("test", PluginRequest(.test))
    }

    /// `schema`, when declared: a list of attributes with known types.
    func schemaCheck() async -> [AttributeSchema]? {
        guard declares(.schema, for: "schema") else { return nil }
        let answer = await ask(PluginRequest(.schema))
        guard case .result(let value) = answer else {
            record("schema", .failed, "expected a result, " + describe(answer, PluginRequest(.schema)))
            return nil
        }
        do throws(ConnectorError) {
            let schema = try PluginResults.schema(value, subject: subject)
            record("schema", .passed, "\(schema.count) attributes: \(schema.map(\.name).joined(separator: ", "))")
            return schema
        } catch {
            record("schema", .failed, error.message)
            return nil
        }
    }

    /// An operation no plugin has gets `unsupported`, and the process lives on.
    func unknownOperation() async {
        let before = processIDs.last
        let request = PluginRequest(PluginOperation(rawValue: "kwConformanceUnknownOperation"), uid: suite.ghost)
        let name = "an unknown operation gets unsupported, and the plugin lives on"
        let answer = await ask(request)
        guard case .error(let report) = answer, report.kindName == ConnectorError.Kind.unsupported.rawValue else {
            record(name, .failed, "expected the error kind unsupported, " + describe(answer, request))
            return
        }
        if processIDs.last == before {
            record(name, .passed)
        } else {
            record(name, .failed, "a new process answered")
        }
    }

    /// No answer held a canary password; stderr did not either.
    func secretsCheck() {
        if echoes == 0 {
            record("no answer holds a secret", .passed, "\(answers) answers searched for the canary passwords")
        } else {
            record("no answer holds a secret", .failed, "\(echoes) answers held a canary password (not shown)")
        }
        let watch = suite.launch.stderrWatch
        let bytes = watch?.byteCount ?? 0
        if watch?.sawMarker == true {
            record("stderr holds no secret", .failed, "a canary password appeared on stderr (\(bytes) bytes, not shown)")
        } else {
            record("stderr holds no secret", .passed, "\(bytes) bytes on stderr, no canary password among them (never shown)")
        }
    }

    /// One process served every request: it never crashed, hung or broke the protocol.
    func processCheck() {
        let name = "one process serves every request"
        if processIDs.count == 1, stoppedProcesses == 0, let id = processIDs.first {
            record(name, .passed, "pid \(id)")
        } else {
            record(
                name, .failed,
                "the plugin process was stopped \(stoppedProcesses) time(s) after it crashed, hung or broke the protocol "
                    + "(pids: \(processIDs.map(String.init).joined(separator: ", ")))")
        }
    }

    /// Closing stdin makes the plugin exit with status 0.
    func exitCheck() async {
        let name = "exits with status 0 when its stdin closes"
        if description != nil { _ = try? await pool.start() }
        let endings = await pool.stop(grace: .seconds(5))
        guard let ending = endings.first else {
            record(name, .skipped, "no process was running")
            return
        }
        record(name, ending == "exited with status 0" ? .passed : .failed, ending == "exited with status 0" ? "" : "it \(ending)")
    }
}
