import Foundation
import KeywardConnectors

/// Keeps one access token for all of a connector's requests: fetched on
/// first use, reused until its ``AccessToken/refreshAt``, fetched again
/// after that or when the service refused it (``invalidate(_:)``).
/// Concurrent requests share one fetch.
actor TokenCache {
    /// Fetches a new token.
    typealias Fetch = @Sendable () async throws(ConnectorError) -> AccessToken

    private let fetch: Fetch
    private let now: @Sendable () -> Date
    private var current: AccessToken?
    private var pending: Task<Result<AccessToken, ConnectorError>, Never>?
    /// How many tokens were fetched (for tests and the logs).
    private(set) var fetches = 0

    /// A cache that gets its tokens from `fetch`.
    init(now: @escaping @Sendable () -> Date = { Date() }, fetch: @escaping Fetch) {
        self.fetch = fetch
        self.now = now
    }

    /// A token that is still good.
    func token() async throws(ConnectorError) -> AccessToken {
        if let current, now() < current.refreshAt { return current }
        if let pending { return try await pending.value.get() }
        let fetch = fetch
        let task = Task { () -> Result<AccessToken, ConnectorError> in
            do throws(ConnectorError) {
                return .success(try await fetch())
            } catch {
                return .failure(error)
            }
        }
        pending = task
        fetches += 1
        let result = await task.value
        pending = nil
        if case .success(let token) = result { current = token }
        return try result.get()
    }

    /// Forgets `token` after the service refused it, unless another request
    /// already replaced it, so that many requests refused at once make one fetch.
    func invalidate(_ token: AccessToken) {
        if current == token { current = nil }
    }
}
