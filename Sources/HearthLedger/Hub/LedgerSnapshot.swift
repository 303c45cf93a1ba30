import HearthCore
import HearthStore
import HearthText

/// Where a snapshot's next page starts: after this record, in the order pages read a scope
/// (record type, then village, then id: the tables' `(village, id)` index).
///
/// Its text (`type village id`) goes to the node and comes back in its next request, so it is
/// parsed as untrusted input: a type, a division code and a record id of that type, or nothing.
public struct SnapshotCursor: Sendable, Hashable {
    public let type: RecordType
    public let village: String
    public let id: RecordID

    public init(type: RecordType, village: String, id: RecordID) {
        self.type = type
        self.village = village
        self.id = id
    }

    public var text: String { "\(type.rawValue) \(village) \(id.value)" }

    public init?(text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let type = RecordType(rawValue: parts[0]),
            let village = try? DivisionCode.parse(parts[1], field: "village"), village.value == parts[1],
            let id = RecordID(parts[2]), id.value == parts[2], id.type == type
        else { return nil }
        self.init(type: type, village: village.value, id: id)
    }
}

/// A request for one page of a node's snapshot.
public struct SnapshotRead: Sendable, Hashable {
    public let node: ReplicaID
    public let scope: ScopePrefix
    /// Nil for the first page.
    public let after: SnapshotCursor?
    /// Most records in the page (at least 1).
    public let limit: Int

    public init(node: ReplicaID, scope: ScopePrefix, after: SnapshotCursor?, limit: Int) {
        self.node = node
        self.scope = scope
        self.after = after
        self.limit = max(1, limit)
    }
}

/// One page of a snapshot: records in order, each with its merge state, and where the next
/// page starts (nil after the last).
public struct SnapshotPage: Sendable {
    /// The log's end in the read this page was taken in; a node starts pulling from the first
    /// page's.
    public let position: Int64
    public let records: [SnapshotRecord]
    /// The first page only: the scope's ops that wait at the hub for ops it does not hold,
    /// which no pull from `position` would deliver.
    public let waiting: [Op]
    /// The first page only: records the hub logged ops of under the scope that lie outside it
    /// now, with their states (``SnapshotResponse/departed``).
    public let departed: [SnapshotRecord]
    public let next: SnapshotCursor?
}

/// A node's scope as merge states, read a page at a time by index (docs/snapshots.md).
extension LedgerLog {
    /// Most bytes of merge state in one page, whatever its record limit: a page stays far under
    /// a message's limit (``WireLimits``) even where records hold long histories of concurrent
    /// values.
    package static let snapshotPageBytes = 4 << 20

    /// The page in one read transaction. The records of a scope are the county-wide
    /// configuration's (`<county>000000`) and those whose village lies in the scope, as the hub
    /// holds them now: where a record is, not where its ops were logged, decides (SECURITY.md,
    /// "Jurisdiction"). Pages hold no state at the hub: a later page may reflect later states
    /// than the first page's position, and ops the node pulls again under them are duplicates
    /// (``Applier/usesFloors``).
    package static func snapshotPage(_ sql: any SQLStatements, _ read: SnapshotRead) throws -> SnapshotPage {
        let position = max(
            try LedgerLog.logEnd(sql),
            try sql.integer("SELECT coalesce(max(seq), 0) FROM scope_entries") ?? 0)
        // Village ranges in order: the county-wide code sorts before every township's villages.
        var ranges: [(low: String, high: String)] = []
        if let countyWide = DivisionCode.countyWide(read.scope.value) {
            ranges.append((countyWide.value, countyWide.value))
        }
        switch read.scope.level {
        case .village: ranges.append((read.scope.value, read.scope.value))
        case .township: ranges.append((read.scope.value + "000", read.scope.value + "999"))
        case .county: ranges = [(read.scope.value + "000000", read.scope.value + "999999")]
        }
        var records: [SnapshotRecord] = []
        var bytes = 0
        var last: SnapshotCursor?
        var full = false
        let types = RecordType.allCases.filter { read.after == nil || $0 >= read.after!.type }
        tables: for type in types {
            let start = read.after?.type == type ? read.after : nil
            for range in ranges {
                if let start, start.village > range.high { continue }
                let rows = try sql.rows(
                    """
                    SELECT r.village, r.id, m.state FROM \(type.table) r JOIN record_meta m ON m.id = r.id
                    WHERE r.village >= ? AND r.village <= ? AND (r.village, r.id) > (?, ?)
                    ORDER BY r.village, r.id LIMIT ?
                    """,
                    [
                        .text(range.low), .text(range.high), .text(start?.village ?? ""), .text(start?.id.value ?? ""),
                        .integer(Int64(read.limit - records.count)),
                    ])
                for row in rows {
                    guard let village = row[0].text, let id = row[1].text.flatMap(RecordID.init), id.type == type,
                        case .blob(let state) = row[2]
                    else { throw ReplicaError.database("a record's merge state is unreadable") }
                    records.append(SnapshotRecord(id: id, state: state))
                    bytes += state.count
                    last = SnapshotCursor(type: type, village: village, id: id)
                    if records.count >= read.limit || bytes >= snapshotPageBytes {
                        full = true
                        break tables
                    }
                }
            }
        }
        var waiting: [Op] = []
        if read.after == nil {
            let (filter, key) = scopeFilter(read.scope, prefix: "o.")
            var villages = RecordVillages(sql)
            // From the waits (at most `HubLedger.maxWaitingOps` a node), each op by its key: CROSS
            // JOIN keeps SQLite's order, which without it walked the scope's whole log by
            // `ops_by_township` and looked each op up among the waits.
            let rows = try sql.rows(
                """
                SELECT o.body, o.record FROM op_waits w CROSS JOIN ops o
                WHERE o.replica = w.replica AND o.counter = w.counter AND (\(filter) OR o.scope = ?) AND o.replica != ?
                ORDER BY o.seq
                """,
                (key.map { [SQLValue.text($0)] } ?? [])
                    + [.text(DivisionCode.countyWide(read.scope.value)?.value ?? ""), .text(read.node.value)])
            for row in rows {
                // As a pull would: only while its record lies in the node's scope, or is not yet held.
                guard try villages.village(of: row[1].text ?? "").map(read.scope.holdsRecord(of:)) ?? true else {
                    continue
                }
                guard let body = row[0].bytes, let op = try? Op(logged: body) else {
                    throw ReplicaError.database(Catalogue.text("sync.op_unreadable"))
                }
                waiting.append(op)
            }
        }
        let departed = read.after == nil ? try departures(sql, read.scope) : []
        return SnapshotPage(
            position: position, records: records, waiting: waiting, departed: departed, next: full ? last : nil)
    }

    /// The records that lay in `scope` once and lie elsewhere now: those the hub logged ops of
    /// under the scope, whose village, as the hub holds it now, is outside it. A node that held
    /// one before its snapshot missed the op that took it away, which lies below the snapshot's
    /// position: without it the node would keep the record for ever (found by the simulation,
    /// a re-identified node).
    ///
    /// A record leaves a village only by a move, and the hub notes every move it applies as
    /// two scope entries, one for the village the record enters and one for the village it
    /// leaves (``Applier``; R14 has a move logged under the village it enters). So the records
    /// that ever lay in the scope and may lie elsewhere now are those with a scope entry in
    /// it; each is looked up by its table's key. This costs the scope's moves, not its
    /// history. It read the scope's whole log (and archive) once per record table before: a
    /// 10,000-record township's pages after a year of monthly edits took 1.7 to 1.9 s then,
    /// 0.9 s now (with the waiting ops read from the waits).
    ///
    /// Set-wise, one statement per record table: per record round trips would cost a
    /// PostgreSQL hub a second for every ten thousand records of a township.
    ///
    /// Records the hub holds in no village go too, when it logged an op of them under the
    /// scope (``unplaced(_:_:)``).
    static func departures(_ sql: any SQLStatements, _ scope: ScopePrefix) throws -> [SnapshotRecord] {
        let (filter, key) = scopeFilter(scope)
        let (low, high): (String, String)
        switch scope.level {
        case .village: (low, high) = (scope.value, scope.value)
        case .township: (low, high) = (scope.value + "000", scope.value + "999")
        case .county: return []
        }
        var departed: [SnapshotRecord] = []
        for type in RecordType.allCases {
            let rows = try sql.rows(
                """
                SELECT r.id, m.state FROM \(type.table) r JOIN record_meta m ON m.id = r.id
                WHERE r.id IN (SELECT record FROM scope_entries WHERE \(filter))
                AND (r.village < ? OR r.village > ?) AND r.village != ?
                """,
                (key.map { [SQLValue.text($0)] } ?? [])
                    + [.text(low), .text(high), .text(DivisionCode.countyWide(scope.value)?.value ?? "")])
            for row in rows {
                guard let id = row[0].text.flatMap(RecordID.init), case .blob(let state) = row[1] else {
                    throw ReplicaError.database("a record's merge state is unreadable")
                }
                departed.append(SnapshotRecord(id: id, state: state))
            }
        }
        departed += try unplaced(sql, scope)
        return departed.sorted { $0.id.value < $1.id.value }
    }

    /// The records the hub holds in no village whose ops it logged under `scope`: a creation
    /// the county refused and discarded leaves its record with every field null, the
    /// compensation's doing, logged under the village the creation named (Protocol/sync.md,
    /// Compensation). Its author held the record; a node that pulls the compensation lets
    /// the record go. A node that starts from a snapshot below the compensation's position
    /// would not get it, and would keep what the county refused for ever (found by the
    /// simulation, seed 932: a forked laptop re-identified before it pulled the discard).
    ///
    /// Only such records lack a village, a handful in a county, each with an op or two in the
    /// log: the statement costs those, looked up by record, and the scope is checked here.
    static func unplaced(_ sql: any SQLStatements, _ scope: ScopePrefix) throws -> [SnapshotRecord] {
        var found: [RecordID: [UInt8]] = [:]
        for type in RecordType.allCases {
            let rows = try sql.rows(
                """
                SELECT r.id, m.state, o.scope FROM \(type.table) r JOIN record_meta m ON m.id = r.id
                JOIN logged_ops o ON o.record = r.id
                WHERE r.village IS NULL
                """, [])
            for row in rows {
                guard let id = row[0].text.flatMap(RecordID.init), case .blob(let state) = row[1] else {
                    throw ReplicaError.database("a record's merge state is unreadable")
                }
                guard let logged = row[2].text.flatMap({ try? DivisionCode.parse($0, field: "scope") }),
                    scope.holdsRecord(of: logged)
                else { continue }
                found[id] = state
            }
        }
        return found.map { SnapshotRecord(id: $0.key, state: $0.value) }
    }
}
