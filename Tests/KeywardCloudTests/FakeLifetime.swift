import KeywardTestSupport

/// Runs `body` with a fake Graph presenting `certificate`, stopping it
/// afterwards whatever happens.
func withFakeGraph<Result>(
    secret: String = CloudFixtures.clientSecret, certificate: FakeCertificates.Served = .localhost,
    _ body: (FakeGraph) async throws -> Result
) async throws -> Result {
    try await withFake(
        { try await FakeGraph.start(clientSecret: secret, certificate: certificate) }, stop: { await $0.stop() }, body)
}

/// Runs `body` with a fake ServiceNow instance (Basic, and OAuth with the
/// fixtures' client) presenting `certificate`, stopping it afterwards
/// whatever happens.
func withFakeServiceNow<Result>(
    allowsClientCredentials: Bool = false, certificate: FakeCertificates.Served = .localhost,
    _ body: (FakeServiceNow) async throws -> Result
) async throws -> Result {
    try await withFake(
        {
            try await FakeServiceNow.start(
                password: CloudFixtures.integrationPassword, clientID: "keyward-oauth",
                clientSecret: CloudFixtures.clientSecret, allowsClientCredentials: allowsClientCredentials,
                certificate: certificate)
        },
        stop: { await $0.stop() }, body)
}

/// Starts a fake, runs `body` with it, and stops it, also when `body` throws.
private func withFake<Fake, Result>(
    _ start: () async throws -> Fake, stop: (Fake) async -> Void, _ body: (Fake) async throws -> Result
) async throws -> Result {
    let fake = try await start()
    let result: Result
    do {
        result = try await body(fake)
    } catch {
        await stop(fake)
        throw error
    }
    await stop(fake)
    return result
}
