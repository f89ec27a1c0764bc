import KeywardConnectors
import KeywardCore
import Logging

/// One run of the ``ConformanceSuite``: a pool of one process, the checks
/// so far, and what was seen on the way (process ids, refused answers).
final class ConformanceRun {
    /// An answer, or why there was none.
    enum Answer {
        case result(JSONValue)
        case error(PluginErrorReport)
        case failure(PluginFailure)
    }

    let suite: ConformanceSuite
    /// The program's file name, for messages.
    var subject: String { suite.subject }
    let report: @Sendable (ConformanceCheck) -> Void
    let pool: PluginPool
    private(set) var checks: [ConformanceCheck] = []
    /// What the plugin said in its hello.
    var description: PluginDescription?
    /// The process ids that served requests.
    var processIDs: [Int32] = []
    /// Answers received, those refused because they held a canary, and
    /// requests after which the process was gone (crashed, hung, broke the protocol).
    private(set) var answers = 0
    private(set) var echoes = 0
    private(set) var stoppedProcesses = 0

    init(suite: ConformanceSuite, report: @escaping @Sendable (ConformanceCheck) -> Void) {
        self.suite = suite
        self.report = report
        pool = PluginPool(launch: suite.launch, size: 1, subject: suite.subject, logger: ExternalConnector.silentLogger)
    }

    /// Every check, in order; without a hello, only the hello's and the exit's.
    func all() async {
        if await hello() {
            await service()
            let schema = await schemaCheck()
            await AccountChecks(run: self, schema: schema).all()
            await unknownOperation()
            secretsCheck()
            processCheck()
        }
        await exitCheck()
    }

    /// Records a check and reports it.
    func record(_ name: String, _ outcome: ConformanceCheck.Outcome, _ detail: String = "") {
        let check = ConformanceCheck(name, outcome, detail)
        checks.append(check)
        report(check)
    }

    /// Whether the plugin declares `operation`; records `name` as skipped when not.
    func declares(_ operation: PluginOperation, for name: String) -> Bool {
        if description?.operations.contains(operation) == true { return true }
        record(name, .skipped, "the plugin does not declare \(operation)")
        return false
    }

    /// Sends `request`; notes the process that answered.
    func ask(_ request: PluginRequest) async -> Answer {
        let result = await pool.exchange(request)
        if let id = await pool.processIDs().first, processIDs.last != id { processIDs.append(id) }
        switch result {
        case .success(.result(let value)):
            answers += 1
            return .result(value)
        case .success(.error(let report)):
            answers += 1
            return .error(report)
        case .failure(let failure):
            if failure.reason == .echoedSecret { echoes += 1 }
            if failure.stopsProcess { stoppedProcesses += 1 }
            return .failure(failure)
        }
    }

    /// Records `name` as passed when `request` gets a result; returns it.
    @discardableResult
    func expectResult(_ name: String, _ request: PluginRequest, detail: String = "") async -> JSONValue? {
        let answer = await ask(request)
        guard case .result(let value) = answer else {
            record(name, .failed, "expected a result, " + describe(answer, request))
            return nil
        }
        record(name, .passed, detail)
        return value
    }

    /// Records `name` as passed when `request` gets the error `kind`.
    func expectError(_ name: String, _ request: PluginRequest, _ kind: ConnectorError.Kind) async {
        let answer = await ask(request)
        if case .error(let report) = answer, report.kindName == kind.rawValue {
            record(name, .passed, "\(kind.rawValue)" + (report.message.isEmpty ? "" : " (\(report.message))"))
        } else {
            record(name, .failed, "expected the error kind \(kind.rawValue), " + describe(answer, request))
        }
    }

    /// What came back, in words.
    func describe(_ answer: Answer, _ request: PluginRequest) -> String {
        switch answer {
        case .result: "got a result"
        case .error(let report): "got the error \(report.kindName)" + (report.message.isEmpty ? "" : ": \(report.message)")
        case .failure(let failure): "got no answer: " + failure.connectorError(subject, operation: request.operation.rawValue).message
        }
    }
}
