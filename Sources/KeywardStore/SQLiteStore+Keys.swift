import GRDB
import KeywardCore
import Synchronization

extension SQLiteStore {
    /// Re-seals every secret and every waiting mail under `newKey` in one transaction, then makes
    /// `newKey` this store's current key (the old keys stay in its keyring
    /// for values that other processes may still seal under them).
    public func rotateKey(to newKey: MasterKey) async throws -> Int {
        try await write { db in
            let keyring = self.keys.withLock { $0 }
            let rows = try Row.fetchAll(db, sql: "SELECT operation_id, name, key_id, sealed FROM secrets")
            for row in rows {
                let operationID: Int64 = row["operation_id"]
                let name: String = row["name"]
                let sealed = SealedSecret(keyID: row["key_id"], combined: row["sealed"])
                let secret = try SecretSealer.open(sealed, operationID: operationID, name: name, keyring: keyring)
                let resealed = try SecretSealer.seal(secret, operationID: operationID, name: name, key: newKey)
                try db.execute(
                    sql: "UPDATE secrets SET key_id = ?, sealed = ? WHERE operation_id = ? AND name = ?",
                    arguments: [resealed.keyID, resealed.combined, operationID, name])
            }
            let mails = try Self.resealOutbox(keyring: keyring, to: newKey, db)
            // Inside the transaction, so that no writer seals under the old key
            // after the rotation; if the commit fails the old key is still held.
            self.keys.withLock { $0 = keyring.rotated(to: newKey) }
            return rows.count + mails
        }
    }

    public func secretCounts() async throws -> [String: Int] {
        try await read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key_id, COUNT(*) AS count FROM secrets GROUP BY key_id") {
                counts[row["key_id"]] = row["count"]
            }
            counts.merge(try Self.outboxCounts(db), uniquingKeysWith: +)
            return counts
        }
    }
}
