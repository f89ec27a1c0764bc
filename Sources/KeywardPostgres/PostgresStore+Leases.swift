import Foundation
import PostgresNIO

extension PostgresStore {
    /// Keeps this store's claims alive while it runs: every third of the
    /// lease, the operations it holds `running` get their lease pushed to
    /// now + lease (never shortened). A worker that dies stops renewing, and
    /// its claims lapse one lease later. A renewal that fails (the database
    /// is away) is tried again at the next beat.
    func renewLeases() async {
        let lease = Double(settings.lease.components.seconds)
        let beat = Duration.milliseconds(Int64(lease * 1000 / 3))
        let worker = self.worker
        while !Task.isCancelled {
            try? await Task.sleep(for: beat)
            if Task.isCancelled { return }
            let until = Date().timeIntervalSince1970 + lease
            _ = try? await transaction { connection in
                try await connection.run("""
                    UPDATE operations SET lease_until = GREATEST(lease_until, \(until))
                    WHERE claimed_by = \(worker) AND state = 'running'
                    """)
            }
        }
    }
}
