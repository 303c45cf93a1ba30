import Foundation
import GRDB
import HearthCore
import HearthHub
import HearthLedger
import HearthStore
import Testing

/// Chain checkpoints (docs/compaction.md, Protocol/sync.md, Compaction): compaction signs, for
/// each author whose ops it archives, the last op below all of that author's ops left in the
/// log, and `hub verify` walks the log from there: a break anywhere is found, and the archive
/// below a checkpoint is not needed.
@Suite("Chain checkpoints: the log verifies from signed checkpoints, without the archive below them")
struct ChainCheckpointTests {
    static let day: Int64 = 86_400_000

    /// `hub verify`'s walk, and the same walk a page of 1, 2 and 3 ops at a time from each
    /// table: every page boundary falls somewhere in each case below, and must change nothing.
    static func verified(_ hub: HubLedger, whole: Bool = false) async throws -> ChainVerification {
        let found = try await hub.verifyChains(whole: whole)
        for size in [1, 2, 3] {
            let paged = try await hub.verifyChains(whole: whole, pageSize: size)
            #expect(paged == found, "pages of \(size): \(paged.problems) against \(found.problems)")
        }
        return found
    }

    /// A county whose first ops were archived and whose nodes then wrote on: every author's
    /// log chains onto its archived ops.
    static func compactedCounty(_ store: HubStoreKind) async throws -> (county: TestCounty, nodes: [Replica]) {
        let county = try await TestCounty(store)
        let nodes = try await withRunningHub(county.service()) { url in
            let (nodes, shared, _) = try await SnapshotTests.populatedCounty(county, url: url)
            try await ConvergenceTests.syncUntilQuiet(nodes, county: county, url: url)
            _ = try await county.hub.compact(CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now - 40 * day))
            var report = try await county.hub.compact(
                CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now + day, limit: 5))
            var checkpoints = report.checkpoints
            while report.more {
                report = try await county.hub.compact(
                    CompactionPlan(retentionMonths: 1, nowMillis: TestCounty.now + day, limit: 5))
                checkpoints += report.checkpoints
            }
            #expect(report.logged == 0 && report.inArchive > 0)
            #expect(checkpoints >= 2, "at least the two villages' authors")
            // Work after the compaction: the township and a village write on.
            try nodes[1].edit(shared) { $0.phone = "13800000002" }
            try nodes[0].edit(shared) { $0.address = "一组 改" }
            try nodes[1].edit(shared) { $0.address = "一组 再改" }
            try await ConvergenceTests.syncUntilQuiet(nodes, county: county, url: url)
            return nodes
        }
        return (county, nodes)
    }

    @Test(
        "compaction signs each author's checkpoint below its logged ops; the log verifies from them, and the whole history from the first ops",
        arguments: HubStoreKind.allCases)
    func checkpointsVerify(store: HubStoreKind) async throws {
        let (county, nodes) = try await Self.compactedCounty(store)
        let key = county.hub.keys.signingKey.publicKey
        let checkpoints = try await county.hub.chainCheckpoints()
        for checkpoint in checkpoints {
            #expect(checkpoint.isSigned(by: key), "\(checkpoint.replica.value)")
            #expect(
                try await county.hub.chainHash(replica: checkpoint.replica, counter: checkpoint.counter)
                    == checkpoint.hash)
        }
        // The township and the village that wrote on hold checkpoints below their new ops,
        // and their logs go on where the checkpoints stop.
        for node in [nodes[0], nodes[1]] {
            let checkpoint = try #require(checkpoints.first { $0.replica == node.info.id })
            let own = try node.allOps().filter { $0.dot.replica == node.info.id }.map(\.dot.counter)
            #expect(own.contains(checkpoint.counter + 1))
            #expect(try await county.hub.chainHash(replica: node.info.id, counter: checkpoint.counter + 1) != nil)
        }
        // Another key did not sign them.
        #expect(checkpoints.allSatisfy { !$0.isSigned(by: KeyMaterial.generate().signingKey.publicKey) })

        let fromCheckpoints = try await Self.verified(county.hub)
        #expect(fromCheckpoints.isIntact, "\(fromCheckpoints.problems)")
        #expect(fromCheckpoints.fromCheckpoints >= 2)
        #expect(fromCheckpoints.checkpoints == checkpoints.count)
        // The township and the village pushed last: their tops are the heads they signed.
        #expect(fromCheckpoints.signedHeads >= 2)
        #expect(fromCheckpoints.opsChecked >= 3, "the three edits after the compaction, at least")
        let whole = try await Self.verified(county.hub, whole: true)
        #expect(whole.isIntact, "\(whole.problems)")
        #expect(whole.fromCheckpoints == 0)
        #expect(
            fromCheckpoints.opsChecked < whole.opsChecked,
            "from its checkpoints the walk reads the log, not the history")
    }

    @Test(
        "a changed op, a missing op, a checkpoint the hub did not sign or that names another hash are each found; the archive below the checkpoints may go"
    )
    func breaksAreFound() async throws {
        let (county, nodes) = try await Self.compactedCounty(.sqlite)
        let village = nodes[1].info.id.value
        let author = ReplicaID(village)
        let database = try DatabaseQueue(path: county.hub.path)
        /// Changes the rows of `table` that `filter` selects with `change`, verifies, and puts
        /// the rows back as they were.
        func verify(
            _ table: String, _ filter: String, _ arguments: StatementArguments, change: String, whole: Bool = false
        ) async throws -> [ChainProblem] {
            try await database.write { db in
                try db.execute(
                    sql: "CREATE TEMP TABLE kept AS SELECT * FROM \(table) WHERE \(filter)", arguments: arguments)
                try db.execute(sql: change, arguments: arguments)
            }
            let found = try await Self.verified(county.hub, whole: whole)
            try await database.write { db in
                try db.execute(sql: "DELETE FROM \(table) WHERE \(filter)", arguments: arguments)
                try db.execute(sql: "INSERT INTO \(table) SELECT * FROM kept")
                try db.execute(sql: "DROP TABLE kept")
            }
            #expect(try await Self.verified(county.hub, whole: whole).isIntact, "put back as it was")
            return found.problems
        }
        let checkpoint = try #require(try await county.hub.chainCheckpoints().first { $0.replica == author })
        let logged = try await database.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT counter FROM ops WHERE replica = ? ORDER BY counter", arguments: [village])
        }
        let first = try #require(logged.first)
        #expect(logged.count >= 2)
        let row = "replica = ?1 AND counter = ?2"

        // One op's body swapped for another of its author's: its body no longer gives its hash.
        let altered = try await verify(
            "ops", row, [village, first],
            change: """
                UPDATE ops SET body = (SELECT body FROM ops_archive WHERE replica = ?1 ORDER BY counter LIMIT 1)
                WHERE \(row)
                """)
        #expect(altered == [ChainProblem(.alteredOp, replica: author, counter: UInt64(first))])

        // An op gone from the log: reported missing, by counter.
        let missing = try await verify("ops", row, [village, first], change: "DELETE FROM ops WHERE \(row)")
        #expect(
            missing == [ChainProblem(.missingOps, replica: author, counter: UInt64(first), through: UInt64(first))])

        // An op's hash and body both replaced by another author's: the dot is not this one.
        let other = try await verify(
            "ops", row, [village, first],
            change: """
                UPDATE ops SET body = (SELECT body FROM ops_archive WHERE replica <> ?1 ORDER BY seq LIMIT 1),
                    hash = (SELECT hash FROM ops_archive WHERE replica <> ?1 ORDER BY seq LIMIT 1)
                WHERE \(row)
                """)
        #expect(other.contains(ChainProblem(.alteredOp, replica: author, counter: UInt64(first))))

        // A checkpoint moved to another hash: its signature no longer verifies, and it no longer
        // names the op the hub archived there.
        let moved = try await verify(
            "chain_checkpoints", "replica = ?1", [village],
            change: "UPDATE chain_checkpoints SET hash = '\(String(repeating: "ab", count: 32))' WHERE replica = ?1")
        #expect(
            Set(moved) == [
                ChainProblem(.unsignedCheckpoint, replica: author, counter: checkpoint.counter),
                ChainProblem(.checkpointMismatch, replica: author, counter: checkpoint.counter),
            ])

        // The archived op a checkpoint names, changed: the whole walk finds both.
        let archived = try await verify(
            "ops_archive", row, [village, checkpoint.counter],
            change: "UPDATE ops_archive SET hash = zeroblob(32) WHERE \(row)", whole: true)
        #expect(archived.contains(ChainProblem(.checkpointMismatch, replica: author, counter: checkpoint.counter)))
        #expect(archived.contains(ChainProblem(.alteredOp, replica: author, counter: checkpoint.counter)))

        // The archive at and below the checkpoints gone: the log still verifies from them; only
        // the whole walk misses the history.
        try await database.write { db in
            try db.execute(
                sql: """
                    DELETE FROM ops_archive WHERE counter <= (
                        SELECT counter FROM chain_checkpoints c WHERE c.replica = ops_archive.replica)
                    """)
        }
        try database.close()
        let fromCheckpoints = try await Self.verified(county.hub)
        #expect(fromCheckpoints.isIntact, "\(fromCheckpoints.problems)")
        let whole = try await Self.verified(county.hub, whole: true)
        #expect(whole.problems.contains { $0.kind == .missingOps && $0.replica == author && $0.counter == 1 })
    }

    @Test(
        "the top of a node's chain is the head it signed: a newest op rewritten (every stored hash made to fit), an op forged above the head or the newest op dropped is found"
    )
    func headsAnchorTheTop() async throws {
        let (county, nodes) = try await Self.compactedCounty(.sqlite)
        let intact = try await Self.verified(county.hub)
        #expect(intact.isIntact, "\(intact.problems)")
        #expect(intact.signedHeads >= 2, "the township and the village that pushed last")
        let author = nodes[1].info.id
        let database = try DatabaseQueue(path: county.hub.path)
        let (newest, storedHead) = try await database.read { db in
            let body = try #require(
                try Data.fetchOne(
                    db, sql: "SELECT body FROM ops WHERE replica = ? ORDER BY counter DESC LIMIT 1",
                    arguments: [author.value]))
            let head = try #require(
                try String.fetchOne(
                    db, sql: "SELECT chain_head FROM nodes WHERE replica = ?", arguments: [author.value]))
            return (try Op(logged: Array(body)), head)
        }
        #expect(newest.hash == storedHead, "the node's newest op is its signed head")
        let counter = newest.dot.counter
        let field = try #require(newest.fields.keys.sorted().first)
        @Sendable func forged(_ op: Op, counter: UInt64, previous: String) -> Op {
            Op(
                dot: Dot(replica: op.dot.replica, counter: counter), hlc: op.hlc, author: op.author, origin: op.origin,
                record: op.record, scope: op.scope, fields: op.fields.merging([field: .text("改写")]) { $1 },
                context: op.context, previous: previous, cause: op.cause, voids: op.voids)
        }
        @Sendable func hashBlob(_ op: Op) -> Data { Data(Hex.decode(op.hash) ?? []) }

        // The newest op rewritten under its dot and link, its hash recomputed, and the head the
        // hub keeps moved to it: every stored hash fits, and only the node's signature does not.
        let rewritten = forged(newest, counter: counter, previous: newest.previous)
        try await database.write { db in
            try db.execute(
                sql: "UPDATE ops SET body = ?, hash = ? WHERE replica = ? AND counter = ?",
                arguments: [Data(rewritten.loggedBytes), hashBlob(rewritten), author.value, Int64(counter)])
            try db.execute(
                sql: "UPDATE nodes SET chain_head = ? WHERE replica = ?", arguments: [rewritten.hash, author.value])
        }
        #expect(
            try await Self.verified(county.hub).problems == [
                ChainProblem(.unsignedHead, replica: author, counter: counter)
            ])
        // With the head left as the node signed it: the op is not the one signed.
        try await database.write { db in
            try db.execute(
                sql: "UPDATE nodes SET chain_head = ? WHERE replica = ?", arguments: [storedHead, author.value])
        }
        #expect(
            try await Self.verified(county.hub).problems == [
                ChainProblem(.headMismatch, replica: author, counter: counter)
            ])
        try await database.write { db in
            try db.execute(
                sql: "UPDATE ops SET body = ?, hash = ? WHERE replica = ? AND counter = ?",
                arguments: [Data(newest.loggedBytes), hashBlob(newest), author.value, Int64(counter)])
        }
        #expect(try await Self.verified(county.hub).isIntact, "put back as it was")

        // An op forged above the head, chained to it: no push of the node's carried it.
        let above = forged(newest, counter: counter + 1, previous: newest.hash)
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO ops (replica, counter, record, scope, hash, body, state, township, target)
                    SELECT replica, ?, record, scope, ?, ?, state, township, target FROM ops
                    WHERE replica = ? AND counter = ?
                    """,
                arguments: [
                    Int64(counter + 1), hashBlob(above), Data(above.loggedBytes), author.value, Int64(counter),
                ])
        }
        #expect(
            try await Self.verified(county.hub).problems == [
                ChainProblem(.beyondHead, replica: author, counter: counter + 1, through: counter + 1)
            ])
        #expect(
            try await Self.verified(county.hub, whole: true).problems == [
                ChainProblem(.beyondHead, replica: author, counter: counter + 1, through: counter + 1)
            ])

        // The newest op dropped (and the forged one): the chain stops short of the signed head.
        try await database.write { db in
            try db.execute(
                sql: "DELETE FROM ops WHERE replica = ? AND counter >= ?", arguments: [author.value, Int64(counter)])
        }
        #expect(
            try await Self.verified(county.hub).problems == [
                ChainProblem(.missingOps, replica: author, counter: counter, through: counter)
            ])
        try database.close()
    }

    /// Statements over SQLite that note the most ops any one read of the chains' tables returned.
    final class LargestRead: SQLStatements {
        let base: SQLiteStatements
        var most = 0
        init(_ base: SQLiteStatements) { self.base = base }
        var dialect: SQLDialect { base.dialect }
        func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int { try base.execute(sql, arguments) }
        func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
            let rows = try base.rows(sql, arguments)
            if sql.contains("body") { most = max(most, rows.count) }
            return rows
        }
        func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
            var count = 0
            try base.forEachRow(sql, arguments) { row in
                count += 1
                try body(row)
            }
            if sql.contains("body") { most = max(most, count) }
        }
        func changeVersion() throws -> Int64? { nil }
        func afterCommit(_ body: @escaping @Sendable () -> Void) {}
    }

    @Test(
        "the walk holds a page of ops, never an author's history: no read takes more than a page, and the log, the archive and the quarantine (an op released, an op held) are walked as one chain across pages"
    )
    func walksInPages() async throws {
        let (county, _) = try await Self.compactedCounty(.sqlite)
        let key = Array(county.hub.keys.signingKey.publicKey.rawRepresentation)
        let database = try DatabaseQueue(path: county.hub.path)
        let before = try await county.hub.verifyChains(whole: true)
        // The author with the most ops in the log: an op the quarantine released is in the log
        // too; an op it holds is in the quarantine alone.
        try await database.write { db in
            let author = try #require(
                try String.fetchOne(db, sql: "SELECT replica FROM ops GROUP BY replica ORDER BY count(*) DESC LIMIT 1"))
            let counters = try Int64.fetchAll(
                db, sql: "SELECT counter FROM ops WHERE replica = ? ORDER BY counter", arguments: [author])
            #expect(counters.count >= 2)
            for (counter, state) in [(counters[0], "released"), (counters[counters.count / 2], "held")] {
                try db.execute(
                    sql: """
                        INSERT INTO quarantine (replica, counter, record, hash, body, reason, state, at_millis)
                        SELECT replica, counter, record, lower(hex(hash)), body, 'R14: outside the writer''s area', ?, 0
                        FROM ops WHERE replica = ? AND counter = ?
                        """, arguments: [state, author, counter])
            }
            try db.execute(
                sql: "DELETE FROM ops WHERE replica = ? AND counter = ?",
                arguments: [author, counters[counters.count / 2]])
        }
        for whole in [false, true] {
            let found = try await database.read { db in
                try LedgerChains.verify(SQLiteStatements(db), hubKey: key, whole: whole)
            }
            #expect(found.isIntact, "\(found.problems)")
            if whole { #expect(found.opsChecked == before.opsChecked) }
            for size in [1, 2, 3] {
                let (paged, most) = try await database.read { db in
                    let statements = LargestRead(SQLiteStatements(db))
                    return (
                        try LedgerChains.verify(statements, hubKey: key, whole: whole, pageSize: size), statements.most
                    )
                }
                #expect(paged == found)
                #expect(most <= size, "a read took \(most) ops in pages of \(size)")
                if whole { #expect(found.opsChecked > 3 * size, "the walk crossed pages") }
            }
        }
        try database.close()
    }
}
