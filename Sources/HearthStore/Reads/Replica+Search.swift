import GRDB
import HearthCore

/// A household or member found by `hearth find` or by a name or ID number given where a
/// record id is asked for: what a clerk needs to tell two people apart, and never the ID number.
public struct SearchHit: Sendable, Equatable {
    /// A household or a member.
    public let id: RecordID
    /// The member's name, or the name of the household's head.
    public let name: String?
    /// The village's division code.
    public let village: String?
    /// The member's household (nil for a household).
    public let household: RecordID?
    /// The household's address (nil for a member).
    public let address: String?
    /// The household's phone (nil for a member).
    public let phone: String?
    /// The member's vital status (alive, deceased) or the household's status (active, archived).
    public let status: String?
}

/// What a search found, in record-id order: at most the limit asked for, and whether there was more.
public struct SearchResult: Sendable, Equatable {
    public let hits: [SearchHit]
    /// More records matched than the limit.
    public let more: Bool
    /// The text was an ID number, matched by its keyed hash.
    public let byIDNumber: Bool
}

/// Which records a search looks at.
public enum SearchScope: Sendable {
    /// Households (address, phone) and members (name).
    case all
    /// Members only, by name.
    case members
}

extension ReplicaCore {
    /// The households and members whose name, address or phone holds `text`, or the members
    /// whose ID number is `text` (matched by its keyed hash; the number is not kept), in id
    /// order, at most `limit`.
    ///
    /// Reads cost what they find: the records holding the text's rarest two-character piece
    /// (`search_grams`), each checked by primary key, never the county.
    public func find(_ text: String, limit: Int, scope: SearchScope = .all, nowMillis: Int64) throws(ReplicaError)
        -> SearchResult
    {
        if let number = try Self.idNumber(in: text, nowMillis: nowMillis) {
            let digest = keys.digest(number.value)
            return try read { db in
                let ids = try String.fetchAll(
                    db, sql: "SELECT id FROM members WHERE id_number_hash = ? ORDER BY id LIMIT ?",
                    arguments: [digest, limit + 1])
                let hits = try ids.prefix(limit).compactMap { try Self.hit(db, RecordID($0)) }
                return SearchResult(hits: hits, more: ids.count > limit, byIDNumber: true)
            }
        }
        let query = SearchText.normalized(text)
        guard query.count >= 2 else {
            throw .invalid(
                InputError(field: "text", reason: "give at least two characters of a name, an address or a phone"))
        }
        return try read { db in
            var hits: [SearchHit] = []
            var more = false
            try Self.candidates(db, query: query, scope: scope) { id in
                guard let hit = try Self.hit(db, id), Self.matches(hit, query) else { return true }
                if hits.count == limit {
                    more = true
                    return false
                }
                hits.append(hit)
                return true
            }
            return SearchResult(hits: hits, more: more, byIDNumber: false)
        }
    }

    /// The members whose name is `name` (spaces, hyphens and ASCII case aside), in id order, at
    /// most `limit` and whether there are more: who a name given for a record id may mean.
    public func members(named name: String, limit: Int) throws(ReplicaError) -> (hits: [SearchHit], more: Bool) {
        let query = SearchText.normalized(name)
        guard query.count >= 2 else { return ([], false) }
        return try read { db in
            var hits: [SearchHit] = []
            var more = false
            try Self.candidates(db, query: query, scope: .members) { id in
                guard let hit = try Self.hit(db, id), SearchText.normalized(hit.name ?? "") == query else {
                    return true
                }
                if hits.count == limit {
                    more = true
                    return false
                }
                hits.append(hit)
                return true
            }
            return (hits, more)
        }
    }

    /// The members whose ID number is `number` (by its keyed hash), in id order.
    public func members(withIDNumber number: IDNumber) throws(ReplicaError) -> [SearchHit] {
        let digest = keys.digest(number.value)
        return try read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM members WHERE id_number_hash = ? ORDER BY id", arguments: [digest]
            )
            .compactMap { try Self.hit(db, RecordID($0)) }
        }
    }

    /// A household's or member's hit, as a search shows it; nil for another record or one not held.
    public func searchHit(_ id: RecordID) throws(ReplicaError) -> SearchHit? {
        try read { db in try Self.hit(db, id) }
    }

    /// The ID number `text` is, when it has the shape of one (15 or 18 characters, digits but
    /// an X at the end); nil when it has not. A text of that shape that is not a valid number
    /// is refused, without repeating it.
    public static func idNumber(in text: String, nowMillis: Int64) throws(ReplicaError) -> IDNumber? {
        let normalized = IDNumber.normalize(text)
        let characters = Array(normalized)
        func digit(_ character: Character) -> Bool { character.isASCII && character.isNumber }
        let shaped =
            (characters.count == 18 && characters[0..<17].allSatisfy(digit)
                && (digit(characters[17]) || characters[17] == "X"))
            || (characters.count == 15 && characters.allSatisfy(digit))
        guard shaped else { return nil }
        do {
            return try IDNumber(
                parsing: normalized, field: "ID number", today: DomainCalendar.date(atMillis: nowMillis))
        } catch { throw .invalid(error) }
    }

    /// Calls `body` with each record (of `scope`) holding every two-character piece of
    /// `query`, in id order, until it returns false; with each household whose phone ends in
    /// the same four digits, when the query is a phone number or its end
    /// (``SearchText/phoneTail(_:)``); and with each record marked for indexing
    /// (``SearchIndex``), whose pieces the index may not hold yet. `body` checks each record's
    /// texts, so a candidate that does not match costs a lookup, never a wrong answer.
    ///
    /// Walks the records of the rarest piece (``rarestFirst(_:_:bound:)``), and each other piece
    /// is checked by the index's primary key for each record walked.
    static func candidates(
        _ db: Database, query: [Unicode.Scalar], scope: SearchScope, _ body: (RecordID) throws -> Bool
    ) throws {
        let grams = SearchText.grams(query)
        guard !grams.isEmpty else { return }
        let members: Bool
        if case .members = scope { members = true } else { members = false }
        var others = try SearchIndex.marked(db, members: members)[...]
        var indexed: FastDatabaseValueCursor<String>?
        if let ordered = try rarestFirst(db, grams) {
            // CROSS JOIN keeps SQLite's join order: the rarest piece first, the others looked up.
            var sql = "SELECT g0.record FROM search_grams g0"
            for index in ordered.indices.dropFirst() { sql += " CROSS JOIN search_grams g\(index)" }
            sql += " WHERE g0.gram = ?"
            for index in ordered.indices.dropFirst() {
                sql += " AND g\(index).gram = ? AND g\(index).record = g0.record"
            }
            if members { sql += " AND g0.record >= 'M-' AND g0.record < 'M.'" }
            sql += " ORDER BY g0.record"
            indexed = try String.fetchCursor(db, sql: sql, arguments: StatementArguments(ordered))
        }
        // A phone number, or its last digits: the phones ending in the same four digits.
        if !members, SearchText.isPhoneQuery(query), let tail = SearchText.phoneTail(query) {
            let phones = try String.fetchAll(
                db.cachedStatement(sql: "SELECT record FROM search_grams WHERE gram = ? ORDER BY record"),
                arguments: [SearchIndex.gramText(tail)])
            others = others.isEmpty ? phones[...] : Array(Set(others).union(phones)).sorted()[...]
        }
        // The index's records and the others (marked, a phone's), merged in id order, each once.
        var next = try indexed?.next()
        while next != nil || !others.isEmpty {
            let record: String
            if let found = next, others.first.map({ found <= $0 }) ?? true {
                record = found
                if others.first == found { others.removeFirst() }
                next = try indexed?.next()
            } else {
                record = others.removeFirst()
            }
            guard let id = RecordID(record) else { continue }
            guard try body(id) else { return }
        }
    }

    /// The pieces, the rarest first; nil when a piece is in no record (then no record holds them all).
    ///
    /// Each piece's records are counted up to a bound, so a piece every record holds costs the
    /// bound, not the county, and no further than the fewest counted before it: a piece with
    /// as many records cannot come first. While every piece reaches the bound they are counted
    /// again up to four times as many; otherwise the first piece would be walked, and a name's
    /// first piece (a surname, or 居民 in a generated county) can be held by a third of the
    /// county. Counting then costs a few times what walking the rarest piece costs.
    static func rarestFirst(_ db: Database, _ grams: [String], bound first: Int = 2_000) throws -> [String]? {
        var bound = first
        while true {
            var counted: [(gram: String, count: Int)] = []
            var fewest = bound
            for gram in grams {
                let count =
                    try Int.fetchOne(
                        db.cachedStatement(
                            sql: "SELECT count(*) FROM (SELECT 1 FROM search_grams WHERE gram = ? LIMIT ?)"),
                        arguments: [gram, fewest]) ?? 0
                guard count > 0 else { return nil }
                counted.append((gram, count))
                fewest = min(fewest, count)
            }
            if grams.count == 1 || fewest < bound || bound > Int.max / 4 {
                return counted.sorted { $0.count < $1.count }.map(\.gram)
            }
            bound *= 4
        }
    }

    /// Whether the hit's searchable texts match the query: a name or an address holding it as
    /// one run (its pieces may lie apart), a phone ending with it (``SearchText/phoneMatches(_:_:)``).
    static func matches(_ hit: SearchHit, _ query: [Unicode.Scalar]) -> Bool {
        switch hit.id.type {
        case .member: return SearchText.contains(hit.name, query)
        case .household: return SearchText.contains(hit.address, query) || SearchText.phoneMatches(hit.phone, query)
        default: return false
        }
    }

    /// The hit for a household or member held here, by primary key.
    static func hit(_ db: Database, _ id: RecordID?) throws -> SearchHit? {
        guard let id else { return nil }
        switch id.type {
        case .member:
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT name, village, household, vital_status FROM members WHERE id = ?"),
                    arguments: [id.value])
            else { return nil }
            return SearchHit(
                id: id, name: row[0], village: row[1], household: (row[2] as String?).flatMap(RecordID.init),
                address: nil, phone: nil, status: row[3])
        case .household:
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT h.village, h.address, h.phone, h.status, m.name
                            FROM households h LEFT JOIN members m ON m.id = h.head WHERE h.id = ?
                            """),
                    arguments: [id.value])
            else { return nil }
            return SearchHit(
                id: id, name: row[4], village: row[0], household: nil, address: row[1], phone: row[2], status: row[3])
        default:
            return nil
        }
    }
}
