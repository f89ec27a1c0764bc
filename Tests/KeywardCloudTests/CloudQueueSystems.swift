import KeywardCore
import KeywardEngine
import KeywardTestSupport

@testable import KeywardCloud

/// The two fakes as systems of one engine, their connectors' log lines captured.
struct CloudQueueSystems {
    let graph: FakeGraph
    let instance: FakeServiceNow
    let entra: TargetSystem
    let serviceNow: TargetSystem
    /// The connectors' log lines.
    let logs = LogCapture()
    /// The waits inside attempts (recorded, not slept).
    let sleeps = SleepRecorder()

    init(graph: FakeGraph, instance: FakeServiceNow) throws {
        self.graph = graph
        self.instance = instance
        let entraDefinition = CloudQueueEngine.prepare(CloudFixtures.entraDefinition(graph))
        entra = TargetSystem(
            definition: entraDefinition,
            connector: try EntraConnector(
                definition: entraDefinition, environment: CloudFixtures.environment(["clientSecret": CloudFixtures.clientSecret]),
                options: CloudFixtures.options(logs: logs, sleeps: sleeps)))
        let serviceNowDefinition = CloudQueueEngine.prepare(CloudFixtures.serviceNowDefinition(instance))
        serviceNow = TargetSystem(
            definition: serviceNowDefinition,
            connector: try ServiceNowConnector(
                definition: serviceNowDefinition,
                environment: CloudFixtures.environment(["password": CloudFixtures.integrationPassword]),
                options: CloudFixtures.options(logs: logs, sleeps: sleeps)))
    }

    /// An engine over both systems.
    func engine(batchSize: Int = 32, concurrency: Int = 4) throws -> CloudQueueEngine {
        try CloudQueueEngine(systems: [entra, serviceNow], batchSize: batchSize, concurrency: concurrency)
    }
}

/// Runs `body` with both fakes started and their systems, stopping the fakes afterwards.
func withCloudSystems<Result>(_ body: (CloudQueueSystems) async throws -> Result) async throws -> Result {
    try await withFakeGraph { graph in
        try await withFakeServiceNow { instance in
            try await body(CloudQueueSystems(graph: graph, instance: instance))
        }
    }
}
