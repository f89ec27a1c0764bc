import Testing

@Suite struct HealthPlaceholderTests {
    @Test func placeholder() {}
}
