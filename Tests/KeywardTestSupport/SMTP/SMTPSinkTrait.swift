public import Testing

extension SMTPSink {
    /// The sink of the suite being run (set by the `.smtpSink` trait).
    @TaskLocal public static var current: SMTPSink?

    /// The suite's sink; fails the test when the suite has none.
    public static func shared() throws -> SMTPSink {
        try #require(current, "the suite needs the .smtpSink trait")
    }
}

/// Runs a suite with one STARTTLS+AUTH sink, started before its first test
/// and stopped after its last.
public struct SMTPSinkTrait: SuiteTrait, TestScoping {
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await SMTPSink.$current.withValue(sink) { try await function() }
    }
}

extension Trait where Self == SMTPSinkTrait {
    /// One throwaway aiosmtpd (STARTTLS and AUTH required) for the whole suite.
    public static var smtpSink: Self { Self() }
}
