import Foundation
public import KeywardStore
import PostgresNIO
import Synchronization

extension PostgresStore {
    /// Re-seals every secret and every waiting mail under `newKey` in one
    /// transaction, then makes `newKey` this store's current key.
    ///
    /// Other processes sharing the database keep sealing under the key they
    /// were started with until they restart with the new keyring (which must
    /// still hold the old key until then).
    public func rotateKey(to newKey: MasterKey) async throws -> Int {
        try await transaction { connection in
            let keyring = self.keys.withLock { $0 }
            let rows = try await connection.run("SELECT operation_id, name, key_id, sealed FROM secrets FOR UPDATE")
            for row in rows {
                let (operationID, name, keyID, combined) = try row.decode((Int64, String, String, Data).self)
                let sealed = SealedSecret(keyID: keyID, combined: combined)
                let secret = try SecretSealer.open(sealed, operationID: operationID, name: name, keyring: keyring)
                let resealed = try SecretSealer.seal(secret, operationID: operationID, name: name, key: newKey)
                try await connection.run("""
                    UPDATE secrets SET key_id = \(resealed.keyID), sealed = \(resealed.combined)
                    WHERE operation_id = \(operationID) AND name = \(name)
                    """)
            }
            let mails = try await Self.resealOutbox(keyring: keyring, to: newKey, connection)
            // Inside the transaction, so that no writer of this process seals
            // under the old key after the rotation.
            self.keys.withLock { $0 = keyring.rotated(to: newKey) }
            return rows.count + mails
        }
    }

    public func secretCounts() async throws -> [String: Int] {
        try await transaction { connection in
            var counts: [String: Int] = [:]
            for table in ["secrets", "notification_outbox"] {
                let rows = try await connection.run(
                    "SELECT key_id, COUNT(*) FROM \(unescaped: table) GROUP BY key_id")
                for row in rows {
                    let (keyID, count) = try row.decode((String, Int).self)
                    counts[keyID, default: 0] += count
                }
            }
            return counts
        }
    }
}
