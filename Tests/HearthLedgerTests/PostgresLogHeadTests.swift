import Foundation
import HearthCore
import HearthStore
import HearthTestPostgres
import PostgresNIO
import Testing

@testable import HearthLedgerPostgres

/// The write lock and log positions on PostgreSQL (``PostgresLogHead``), on a real server
/// with two hub processes (two pools of connections) on one database: positions become
/// visible in the order they were given, so a node reading by cursor never passes one that
/// is still to commit (issue 16's "classic hole").
@Suite("The hub's log head on PostgreSQL")
struct PostgresLogHeadTests {
    /// A county's store opened twice, and a table of the test's own that writers log into.
    struct TwoProcesses {
        let hub: FreshPostgresHub
        let second: PostgresLedgerStorage
        var first: PostgresLedgerStorage { hub.storage }

        init() async throws {
            hub = try await FreshPostgresHub()
            second = try await PostgresLedgerStorage.open(location: hub.location, keyPath: hub.keyPath, nowMillis: 0)
            try await PostgresServer.shared().sql(
                hub.location,
                "CREATE TABLE test_log (position BIGINT PRIMARY KEY, writer INTEGER NOT NULL, item INTEGER NOT NULL)")
        }

        func close() async {
            await first.close()
            await second.close()
        }
    }

    /// Logs `count` rows of `writer` at the next positions, under the write lock.
    static func log(_ count: Int, writer: Int, through storage: PostgresLedgerStorage) async throws {
        let logger = storage.logger
        try await storage.writing { connection, last in
            for item in 0..<count {
                try await connection.run(
                    "INSERT INTO test_log VALUES (\(last + Int64(item) + 1), \(writer), \(item))", logger: logger)
            }
            return ((), last + Int64(count))
        }
    }

    /// The rows after `cursor`, in position order, at most `limit`.
    static func read(after cursor: Int64, limit: Int, through storage: PostgresLedgerStorage) async throws
        -> [Int64]
    {
        let logger = storage.logger
        return try await storage.database.connection { connection in
            try await connection.rows(
                "SELECT position FROM test_log WHERE position > \(cursor) ORDER BY position LIMIT \(limit)",
                as: Int64.self, logger: logger)
        }
    }

    @Test("While one process holds the write lock, the other cannot take positions, and readers see none of its rows")
    func lockHeld() async throws {
        let county = try await TwoProcesses()
        let (locked, lockedNow) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseNow) = AsyncStream.makeStream(of: Void.self)
        let logger = county.first.logger
        let holder = Task {
            try await county.first.writing { connection, last in
                try await connection.run("INSERT INTO test_log VALUES (\(last + 1), 1, 0)", logger: logger)
                lockedNow.yield()
                for await _ in release { break }
                return ((), last + 1)
            }
        }
        for await _ in locked { break }
        // The other process waits for the lock; bounded here so the test can see it waiting.
        let waited = await #expect(throws: ReplicaError.self) {
            try await county.second.database.transaction { connection in
                try await connection.run("SET LOCAL lock_timeout = '300ms'", logger: logger)
                _ = try await PostgresLogHead.lock(on: connection, logger: logger)
            }
        }
        #expect(
            waited.map { "\($0)" }?.contains("55P03") == true, "lock_not_available, not \(String(describing: waited))")
        #expect(try await Self.read(after: 0, limit: 10, through: county.second).isEmpty)
        releaseNow.yield()
        try await holder.value
        #expect(try await Self.read(after: 0, limit: 10, through: county.second) == [1])
        // The head moved with the commit: the other process goes on from it.
        try await Self.log(2, writer: 2, through: county.second)
        #expect(try await Self.read(after: 0, limit: 10, through: county.first) == [1, 2, 3])
        await county.close()
    }

    @Test("Many writers in two processes, readers by cursor throughout: every reader gets every row, in order, no gap")
    func readersMissNothing() async throws {
        let county = try await TwoProcesses()
        let processes = [county.first, county.second]
        var generator = SplitMix64(seed: 16)
        let batches = (0..<60).map { _ in Int.random(in: 1...5, using: &generator) }
        let total = Int64(batches.reduce(0, +))
        let readers = try await withThrowingTaskGroup(of: [Int64]?.self) { group in
            for (writer, count) in batches.enumerated() {
                group.addTask {
                    try await Self.log(count, writer: writer, through: processes[writer % 2])
                    return nil
                }
            }
            for reader in 0..<4 {
                group.addTask {
                    // A node's pull: read after the cursor, move it to the last row read, again.
                    var seen: [Int64] = []
                    var cursor: Int64 = 0
                    while cursor < total {
                        let page = try await Self.read(after: cursor, limit: 7, through: processes[reader % 2])
                        // No gap, ever: a page starts right after the cursor.
                        if let first = page.first, first != cursor + 1 { return seen + [-first] }
                        seen += page
                        cursor = page.last ?? cursor
                    }
                    return seen
                }
            }
            var readers: [[Int64]] = []
            for try await result in group { if let result { readers.append(result) } }
            return readers
        }
        #expect(readers.count == 4)
        for seen in readers { #expect(seen == Array(1...total)) }
        await county.close()
    }
}
