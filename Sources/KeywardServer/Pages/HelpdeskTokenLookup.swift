import Crypto
import Foundation
import KeywardCore
import KeywardStore

/// How the helpdesk sign-in checks a pasted API token: the client it names
/// when it is known, not revoked and not expired (its scopes are checked by
/// the sign-in). The store is asked by the token's SHA-256, computed from
/// guarded memory, so the token never becomes a Swift `String`.
struct HelpdeskTokenLookup: Sendable {
    /// Finds the client; nil when the token does not work.
    let find: @Sendable (GuardedString) async throws -> APIClient?

    /// A lookup by `find`.
    init(find: @escaping @Sendable (GuardedString) async throws -> APIClient?) {
        self.find = find
    }

    /// The store's API tokens (`keyward token create --scope helpdesk NAME`).
    init(store: any ServingStore, now: @escaping @Sendable () -> Date) {
        find = { secret in
            let hash = secret.withUnsafeBytes { Data(SHA256.hash(data: $0)) }
            guard let token = try await store.apiToken(hash: hash), token.revokedAt == nil, !token.isExpired(at: now())
            else { return nil }
            return APIClient(name: token.name, scopes: Set(token.scopes.compactMap(APIScope.init(rawValue:))))
        }
    }
}
