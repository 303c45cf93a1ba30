import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import Testing

@testable import HearthStore
@testable import HearthTools

/// Every statement a read or a push runs, checked with `EXPLAIN QUERY PLAN` on a generated
/// county: no read scans a table that grows with the county, except the report and the roll,
/// whose answer is the county (each of their scans runs once, never inside a loop).
///
/// SQLite plans without statistics (no `ANALYZE` is ever run), so the plans on a small county
/// are the plans on a city's.
@Suite("Query plans: reads cost what they return")
struct QueryPlanTests {
    static let now: Int64 = 1_795_600_000_000
    static let november = try! Month.parse("2026-11", field: "m")

    /// The tables whose rows grow with the county's people and its history. (`op_waits` does
    /// not: each node may leave at most `HubLedger.maxWaitingOps` ops waiting.)
    static let countyTables: Set<String> = [
        "households", "members", "enrollments", "visits", "leads", "ops", "record_meta", "scope_entries",
        "roll_lines", "decisions", "quarantine", "audit", "import_keys", "rule_case_holds", "search_grams",
    ]

    /// What one statement's plan scans of the county's tables.
    struct Scan: CustomStringConvertible {
        let sql: String
        let tables: [String]
        var description: String { "\(tables.joined(separator: ", ")) in: \(sql.prefix(300))" }
    }

    /// The county tables each statement scans, through a connection of the test's own.
    static func scans(_ statements: [String], in path: String) throws -> [Scan] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let (names, partial) = try queue.read { db in
            (
                Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")),
                // A partial index holds only the rows a read asks for (those in conflict, the
                // deceased, …): scanning it costs what the read returns.
                Set(
                    try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"))
            )
        }
        var found: [Scan] = []
        let verbs: Set<String> = ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
        for (trimmed, details) in try plans(statements, in: queue, keep: { verbs.contains(verb($0)) }) {
            let aliases = aliasTable(trimmed, tables: names)
            let tables = details.compactMap { detail -> String? in
                guard detail.hasPrefix("SCAN ") else { return nil }
                let index = detail.components(separatedBy: " INDEX ").dropFirst().first?.split(separator: " ").first
                if let index, partial.contains(String(index)) { return nil }
                let name = String(detail.dropFirst(5).prefix { $0 != " " })
                let table = aliases[name] ?? name
                return countyTables.contains(table) ? table : nil
            }
            if !tables.isEmpty { found.append(Scan(sql: trimmed, tables: tables)) }
        }
        return found
    }

    /// `alias -> table` for every `FROM t a`, `JOIN t AS a` of a statement.
    static func aliasTable(_ sql: String, tables: Set<String>) -> [String: String] {
        var aliases: [String: String] = [:]
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "(" || $0 == ")" })
            .map(String.init)
        for (index, word) in words.enumerated() where ["FROM", "JOIN"].contains(word.uppercased()) {
            guard index + 2 < words.count, tables.contains(words[index + 1]) else { continue }
            var alias = words[index + 2]
            if alias.uppercased() == "AS", index + 3 < words.count { alias = words[index + 3] }
            aliases[alias] = words[index + 1]
        }
        return aliases
    }

    /// The plan of each statement `keep` takes (trimmed, in the order given), one line per
    /// step, read through `queue`.
    static func plans(
        _ statements: some Sequence<String>, in queue: DatabaseQueue, keep: (String) -> Bool
    ) throws -> [(sql: String, details: [String])] {
        try statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter(keep).map { sql in
            let details = try queue.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
            }
            return (sql, details)
        }
    }

    /// A statement's first word, upper-cased: `SELECT`, `WITH`, `INSERT`, ….
    static func verb(_ sql: String) -> String { sql.prefix(while: { $0.isLetter }).uppercased() }

    /// The plans of a set of traced statements' queries (`SELECT` and `WITH`), each once.
    static func queryPlans(
        _ statements: [String], in path: String, keep: (String) -> Bool = { _ in true }
    ) throws -> [(sql: String, details: [String])] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try plans(Set(statements), in: queue, keep: { ["SELECT", "WITH"].contains(verb($0)) && keep($0) })
    }

    /// Runs `read` with the hub's statements traced; returns what their plans scan.
    static func traced(_ path: String, _ read: () async throws -> Void) async throws -> (
        scans: [Scan], count: Int, statements: [String]
    ) {
        _ = StatementTrace.shared.take(path)
        try await read()
        let statements = StatementTrace.shared.take(path)
        return (try scans(statements, in: path), statements.count, statements)
    }

    /// Statements that take a page (`LIMIT`) of a county table but sort what they read first
    /// (`USE TEMP B-TREE FOR ORDER BY`): they gather every row their condition meets before
    /// keeping the page's, so a page costs what lies after it, not its size. A pull once asked
    /// for its scope's ops after a cursor this way, and a township catching up read its whole
    /// backlog again for every page.
    static func sortsBeforeLimit(_ statements: [String], in path: String) throws -> [String] {
        try queryPlans(statements, in: path) { sql in
            let words = Set(sql.uppercased().split(whereSeparator: { !$0.isLetter && $0 != "_" }).map(String.init))
            return words.contains("LIMIT") && !countyTables.isDisjoint(with: words.map { $0.lowercased() })
        }
        .filter { $0.details.contains(where: { $0.contains("TEMP B-TREE FOR ORDER BY") }) }
        .map { "\($0.details) in: \($0.sql.prefix(300))" }
    }

    /// The plan lines of statements that search the op log or its archive by scope or
    /// township: a pass over a scope's history.
    static func historyPasses(_ statements: [String], in path: String) throws -> [String] {
        let indexes = ["ops_by_scope", "ops_by_township", "ops_archive_by_scope", "ops_archive_by_township"]
        return try queryPlans(statements, in: path).flatMap { plan in
            plan.details.filter { detail in indexes.contains(where: { detail.contains("INDEX \($0) ") }) }
                .map { "\($0) in: \(plan.sql.prefix(300))" }
        }
    }

    /// A small generated county in a fresh directory, its hub's statements traced: `body` gets
    /// the hub's path, the hub and the township nodes.
    static func withGeneratedHub(
        scale: Double, seed: UInt64, _ body: (String, HubLedger, [Replica]) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-plans-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let profile = try #require(CountyProfile.all["small-county"]).scaled(scale)
        let (_, nodes) = try await CountyGenerator(
            profile: profile, seed: seed, directory: directory, month: november, nowMillis: now
        ).run { _ in }
        let path = directory + "/hub.db"
        StatementTrace.shared.start(path)
        defer { StatementTrace.shared.stop(path) }
        try await body(path, try HubLedger.open(path: path), nodes)
    }

    @Test(
        "status, show, the desk, nodes, recovery, the index, a snapshot, a push and a pull search by index; the report, the roll and hub verify scan once"
    )
    func plans() async throws {
        try await Self.withGeneratedHub(scale: 0.02, seed: 3) { path, hub, nodes in try await plans(path, hub, nodes) }
    }

    func plans(_ path: String, _ hub: HubLedger, _ nodes: [Replica]) async throws {
        let node = try #require(nodes.first)

        // Something for the desk: a death recorded at the township and pushed, and a field the
        // hub and the township set concurrently.
        let member = try #require(node.list(.member, where: "vital_status", equals: "alive").first)
        let household = try #require(RecordID(try node.view(member, reveal: false).value("household") ?? ""))
        var income = HouseholdInput()
        income.income = "410"
        try node.editHousehold(household.value, income, author: "w1", nowMillis: Self.now)
        income.income = "420"
        try hub.replica.editHousehold(household.value, income, author: "admin", nowMillis: Self.now)
        _ = try node.recordDeath(member: member.value, date: "2026-10-02", author: "w1", nowMillis: Self.now)
        let record = try #require(try await hub.nodes().first { $0.replica == node.info.id })
        let acked = try node.syncState().ackedCounter
        let pending = try node.allOps().filter { $0.dot.replica == node.info.id && $0.dot.counter > acked }
        #expect(!pending.isEmpty)

        var indexed: [String: (scans: [Scan], count: Int, statements: [String])] = [:]
        indexed["push"] = try await Self.traced(path) {
            let outcome = try await hub.acceptPush(from: record, ops: pending, nowMillis: Self.now) { _ in nil }
            #expect(outcome.quarantined.isEmpty)
        }
        indexed["pull"] = try await Self.traced(path) {
            let end = try await hub.logEnd()
            _ = try await hub.pull(for: record, cursor: max(0, end - 50), maxOps: 5_000, nowMillis: Self.now)
        }
        indexed["snapshot"] = try await Self.traced(path) {
            // Every page of a township's snapshot, small pages so they cross tables and villages.
            var after: SnapshotCursor?
            var records = 0
            repeat {
                let page = try await hub.snapshot(for: record, after: after, maxRecords: 40)
                records += page.records.count
                after = page.next
            } while after != nil
            #expect(records > 40)
        }
        indexed["status"] = try await Self.traced(path) {
            _ = try hub.replica.status()
            _ = try hub.replica.conflictedFields()
            #expect(!(try hub.replica.heldEnrollments(nowMillis: Self.now)).isEmpty)
            _ = try hub.replica.countyDecisions(by: hub.replica.info.id)
        }
        indexed["show"] = try await Self.traced(path) {
            for id in [member, household] + (try node.list(.enrollment, where: "member", equals: member.value)) {
                _ = try hub.replica.view(id, reveal: false)
                _ = try hub.replica.log(record: id)
                _ = try hub.replica.holds(of: id, nowMillis: Self.now)
                if id.type == .enrollment { _ = try hub.replica.payingSchedule(of: id) }
            }
        }
        indexed["find"] = try await Self.traced(path) {
            let name = try #require(try hub.replica.searchHit(member)?.name)
            #expect(try hub.replica.find(name, limit: 20, nowMillis: Self.now).hits.map(\.id).contains(member))
            #expect(try hub.replica.members(named: name, limit: 20).hits.map(\.id).contains(member))
            _ = try hub.replica.find("3组", limit: 20, nowMillis: Self.now)
            _ = try hub.replica.find("13800001111", limit: 20, nowMillis: Self.now)
        }
        indexed["hub conflicts"] = try await Self.traced(path) {
            #expect(!(try await hub.conflicts()).isEmpty)
            _ = try hub.replica.ruleCases(nowMillis: Self.now)
        }
        indexed["hub nodes"] = try await Self.traced(path) {
            _ = try await hub.logEnd()
            _ = try await hub.nodes()
        }
        indexed["hub recovery"] = try await Self.traced(path) { _ = try await hub.recoveryReport() }
        indexed["index"] = try await Self.traced(path) {
            let whole = try await hub.duplicateIndex(since: "", deltas: true)
            _ = try await hub.duplicateIndex(since: "d1", deltas: true)
            _ = try await hub.duplicateIndex(since: whole.version, deltas: true)
        }
        for (read, traced) in indexed.sorted(by: { $0.key < $1.key }) {
            #expect(traced.count > 0, "\(read) ran no statement: the trace is not attached")
            #expect(traced.scans.isEmpty, "\(read) scans a county table: \(traced.scans)")
            let sorted = try Self.sortsBeforeLimit(traced.statements, in: path)
            #expect(sorted.isEmpty, "\(read) sorts all it meets before taking a page: \(sorted)")
        }
        // A snapshot costs the scope's records, not its history: no statement of it walks the
        // scope's log (its departed records once read the whole log per record table).
        let passes = try Self.historyPasses(try #require(indexed["snapshot"]).statements, in: path)
        #expect(passes.isEmpty, "\(passes)")
        // The check sees such a pass: a pull reads the scope's log by these indexes.
        #expect(!(try Self.historyPasses(try #require(indexed["pull"]).statements, in: path)).isEmpty)

        // The report and the roll answer with the county: each scan runs once.
        for (read, body) in [
            (
                "report",
                {
                    _ = try hub.replica.report(
                        from: Self.november, to: Self.november, by: .township, nowMillis: Self.now)
                }
            ),
            (
                "payroll",
                { _ = try await hub.bankRoll(try hub.replica.payroll(for: Self.november, nowMillis: Self.now)) }
            ),
            // `hub verify` reads every op once: each author's a page at a time, by its key.
            ("hub verify", { _ = try await hub.verifyChains(whole: false, pageSize: 100) }),
            ("hub verify --archive", { _ = try await hub.verifyChains(whole: true, pageSize: 100) }),
        ] as [(String, () async throws -> Void)] {
            let traced = try await Self.traced(path, body)
            #expect(traced.count > 0, "\(read) ran no statement")
            var runs: [String: Int] = [:]
            for scan in traced.scans { runs[scan.sql, default: 0] += 1 }
            for (sql, count) in runs where count > 1 {
                Issue.record("\(read) scans a county table \(count) times: \(sql.prefix(300))")
            }
        }
    }

    @Test("every statement of the triggers that keep rule cases and counts searches by index")
    func triggers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-plans-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let replica = try Replica.create(
            path: directory + "/v.db", name: "v", scope: try ScopePrefix.parse("421281101001", field: "scope"),
            nowMillis: Self.now)
        let bodies = try replica.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger'")
        }
        #expect(bodies.count >= 25)
        var statements: [String] = []
        for body in bodies {
            guard let begin = body.range(of: " BEGIN"), let end = body.range(of: "END", options: .backwards) else {
                Issue.record("a trigger without a body: \(body)")
                continue
            }
            // Each statement of the body, with the row's values as literals.
            let text = String(body[begin.upperBound..<end.lowerBound])
                .replacingOccurrences(of: #"(NEW|OLD)\.[a-z_]+"#, with: "'x'", options: .regularExpression)
            statements += text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
        }
        #expect(statements.count >= bodies.count)
        let scans = try Self.scans(statements, in: directory + "/v.db")
        #expect(scans.isEmpty, "\(scans)")
    }

    @Test("the search index's deletes find each entry by its key, for every size of group")
    func searchDeletes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-plans-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Replica.create(
            path: directory + "/v.db", name: "v", scope: try ScopePrefix.parse("421281101001", field: "scope"),
            nowMillis: Self.now)
        #expect(SearchIndex.deleteSQL.count == SearchIndex.deleteGroup)
        // With literals for the values, as the trace hands statements to the check.
        let deletes = SearchIndex.deleteSQL.map { $0.replacingOccurrences(of: "?", with: "'x'") }
        let scans = try Self.scans(deletes, in: directory + "/v.db")
        #expect(scans.isEmpty, "\(scans)")
        // And each names both key columns: a search by the piece alone reads every record under it.
        let queue = try DatabaseQueue(path: directory + "/v.db")
        defer { try? queue.close() }
        for (_, details) in try Self.plans([deletes[0], deletes[1], deletes.last!], in: queue, keep: { _ in true }) {
            #expect(
                details.contains { $0.contains("search_grams") && $0.contains("gram=? AND record=?") }, "\(details)")
        }
    }

    @Test("a list of the county's records reads them in one snapshot, as each record shows by itself")
    func listsInOneSnapshot() async throws {
        try await Self.withGeneratedHub(scale: 0.01, seed: 5) { path, hub, _ in
            try await listsInOneSnapshot(path, hub)
        }
    }

    func listsInOneSnapshot(_ path: String, _ hub: HubLedger) async throws {
        func views(_ type: RecordType) throws -> [RecordView] {
            var views: [RecordView] = []
            try hub.replica.forEachView(type) { views.append($0) }
            return views
        }
        for type in [RecordType.household, .member, .enrollment] {
            let (_, _, statements) = try await Self.traced(path) { _ = try views(type) }
            let views = try views(type)
            let ids = try hub.replica.list(type)
            #expect(views.count == ids.count && views.count > 20, "\(type)")
            #expect(views.map(\.id) == ids, "\(type): in id order")
            for (view, id) in zip(views, ids).prefix(50) {
                let alone = try hub.replica.view(id, reveal: false)
                #expect(view.fields.map(\.display) == alone.fields.map(\.display), "\(id)")
                #expect(view.conflicts == alone.conflicts, "\(id)")
            }
            // Each read of its own begins a transaction: the list begins one, whatever its length.
            let begins = statements.filter { $0.uppercased().hasPrefix("BEGIN") }
            #expect(begins.count == 1, "\(type): \(begins.count) reads for \(ids.count) records")
        }
    }
}
