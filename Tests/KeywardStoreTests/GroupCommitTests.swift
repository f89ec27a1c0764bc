import Foundation
import GRDB
import KeywardCore
import KeywardTestSupport
@testable import KeywardStore
import Synchronization
import Testing

@Suite("Group commit", .offThePool)
struct GroupCommitTests {
    struct Refused: Error, Equatable {
        let index: Int
    }

    @Test func concurrentWritesCommitTogetherYetAFailingOneIsRolledBackAlone() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let results = try await withThrowingTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        let value = try await store.write { db in
                            try StoredRows.append(Fixtures.audit("person-\(index)"), db)
                            if index % 3 == 0 { throw Refused(index: index) }
                            return index * 2
                        }
                        return (index, .success(value))
                    } catch let error as StoreError where error.message.hasSuffix("\(Refused(index: index))") {
                        // The store wraps what it does not know, naming the file.
                        return (index, .failure(Refused(index: index)))
                    }
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for index in 0..<200 {
            if index % 3 == 0 {
                #expect(results[index] == .failure(Refused(index: index)))
            } else {
                #expect(results[index] == .success(index * 2))
            }
        }
        // A connection of its own sees exactly the writes that returned.
        let written = try await folder.rawConnection().read { db in
            try Set(String.fetchAll(db, sql: "SELECT username FROM audit"))
        }
        #expect(written == Set((0..<200).filter { $0 % 3 != 0 }.map { "person-\($0)" }))
    }

    @Test func eachWriteSeesTheOnesBeforeItEvenInTheSameGroup() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        // Each write counts the rows before it and adds one: run one after
        // another on one connection, they see 0, 1, 2, … — every count once —
        // although many share a transaction that is not committed yet.
        let seen = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask {
                    try await store.write { db in
                        let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") ?? -1
                        try StoredRows.append(Fixtures.audit("person-\(index)"), db)
                        return before
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(seen.sorted() == Array(0..<100))
    }

    @Test func everyCommitIsSyncedToDisk() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let level = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(level == 2, "synchronous = FULL")
    }

    @Test func aDeferredWriteWaitsForCompanyAndCommitsWithTheNextPromptWrite() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let commits = GroupCommit(pool: store.pool, linger: .seconds(60), deferredBatch: 3)
        let returned = Flag()
        let deferred = Task {
            try await commits.write(.deferred) { db in try StoredRows.append(Fixtures.audit("deferred"), db) }
            returned.set()
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!returned.isSet, "a lone deferred write lingers")
        #expect(try await auditUsernames(folder).isEmpty, "and is not committed yet")

        try await commits.write(.synced) { db in try StoredRows.append(Fixtures.audit("prompt"), db) }
        try await deferred.value
        #expect(try await auditUsernames(folder) == ["deferred", "prompt"], "both went in the prompt write's commit")
    }

    @Test func deferredWritesCommitOnceABatchHasGatheredOrTheLingerEnds() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        // A batch of three commits at once, although the linger is a minute.
        let batched = GroupCommit(pool: store.pool, linger: .seconds(60), deferredBatch: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask {
                    try await batched.write(.deferred) { db in try StoredRows.append(Fixtures.audit("batch-\(index)"), db) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await auditUsernames(folder) == ["batch-0", "batch-1", "batch-2"])
        // A lone one commits when its linger ends.
        let lingering = GroupCommit(pool: store.pool, linger: .milliseconds(50), deferredBatch: 3)
        try await lingering.write(.deferred) { db in try StoredRows.append(Fixtures.audit("lone"), db) }
        #expect(try await auditUsernames(folder).contains("lone"))
    }

    @Test func theSyncLevelFollowsTheGroupAndASyncedWriteInAnUnsyncedRunIsSynced() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let level = { @Sendable (db: Database) in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        #expect(try await store.write(.unsynced, level) == 1, "NORMAL")
        #expect(try await store.write(.unsynced, level) == 1, "still NORMAL")
        #expect(try await store.write(.synced, level) == 2, "FULL again")
        #expect(try await store.write(.deferred, level) == 1)
    }

    /// The writer's load counts every write once, and every transaction;
    /// a write that holds the writer shows in its busy time.
    @Test func theWritersLoadCountsWritesCommitsAndBusyTime() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let before = store.writerLoad
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask { try await store.write { db in try StoredRows.append(Fixtures.audit("load-\(index)"), db) } }
            }
            try await group.waitForAll()
        }
        try await store.write { _ in _ = usleep(50_000) }
        let load = store.writerLoad - before
        #expect(load.writes == 41)
        #expect((2...41).contains(load.commits), "\(load)")
        #expect(load.busyNanoseconds >= 50_000_000, "\(load)")
        #expect(load.cpuNanoseconds > 0 && load.cpuNanoseconds < load.busyNanoseconds, "\(load)")
    }

    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
    }

    /// The usernames of the audit entries on disk, sorted, read by a connection of its own.
    private func auditUsernames(_ folder: StoreFolder) async throws -> [String] {
        try await folder.rawConnection().read { db in
            try String.fetchAll(db, sql: "SELECT username FROM audit ORDER BY username")
        }
    }
}
