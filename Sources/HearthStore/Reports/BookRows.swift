import Foundation
import HearthCore

/// The roll book's enrollments as read from the database: one pass over the enrollments with
/// their member and household, put in the roll's order (village, household, enrollment).
///
/// Columns are read by position (a name is looked up, case-insensitively, on every read) and
/// each distinct month, date and amount text is parsed once: a county's roll reads a hundred
/// thousand rows, and most of them share a handful of months and amounts. The rows are sorted
/// here, by three short keys, not by SQLite, which would copy every wide row into its sorter.
struct BookRows {
    /// The entries, without their alternatives (those read merge states: see ``conflicted``).
    var entries: [RollBook.Entry] = []
    /// Each entry's position in ``entries``, by enrollment id.
    var index = EntryIndex()
    /// The entries with fact fields in conflict, by position, and those fields: their
    /// alternatives are read after this pass.
    var conflicted: [(Int, [(RecordType, String)])] = []
    /// How many persons and programs the entries' numbers count (``RollBook/Entry/person``).
    var persons = 0

    static let sql = """
        SELECT e.id, e.program, e.status, e.decision, e.amount, e.start_month, e.end_month,
               e.exit_reason, e.suspended_from, e.household, e.village, e.conflicts,
               m.id, m.name, m.vital_status, m.death_date, m.disability_grade, m.birth_date,
               m.id_number_sealed, m.id_number_hash, m.conflicts,
               h.bank_card_sealed, h.bank_card_hash, h.conflicts
        FROM enrollments e JOIN members m ON m.id = e.member LEFT JOIN households h ON h.id = e.household
        """

    /// The positions of ``sql``'s columns.
    enum Column {
        static let enrollment = 0, program = 1, status = 2, decision = 3, amount = 4, start = 5, end = 6
        static let exitReason = 7, suspendedFrom = 8, household = 9, village = 10, enrollmentConflicts = 11
        static let member = 12, name = 13, vitalStatus = 14, deathDate = 15, grade = 16, birthDate = 17
        static let idSealed = 18, idHash = 19, memberConflicts = 20
        static let cardSealed = 21, cardHash = 22, householdConflicts = 23
    }

    /// Reads an enrollment's facts from a row of ``sql``, each distinct month, date and amount
    /// text parsed once.
    struct FactsReader {
        var months = TextCache { try? Month.parse($0, field: "month") }
        var dates = TextCache { try? CivilDate.parse($0, field: "date") }
        var schedules = TextCache { AmountSchedule(text: $0) }

        /// A month as stored read from its bytes, any other text through the cache.
        mutating func month(_ text: String?) -> Month? {
            guard let text else { return nil }
            return Month(storedText: text) ?? months[text]
        }

        /// A date as stored read from its bytes (a county's birth dates are too many to cache
        /// well), any other text through the cache.
        mutating func date(_ text: String?) -> CivilDate? {
            guard let text else { return nil }
            return CivilDate(storedText: text) ?? dates[text]
        }

        mutating func facts(_ row: [SQLValue]) -> EnrollmentFacts {
            EnrollmentFacts(
                program: row[Column.program].text.flatMap(Program.init(rawValue:)),
                status: row[Column.status].text, decision: row[Column.decision].text,
                exitReason: row[Column.exitReason].text, start: month(row[Column.start].text),
                end: month(row[Column.end].text), schedule: schedules[row[Column.amount].text],
                suspendedFrom: month(row[Column.suspendedFrom].text), grade: row[Column.grade].integer.map { Int($0) },
                birth: date(row[Column.birthDate].text), deceased: row[Column.vitalStatus].text == "deceased",
                deathDate: date(row[Column.deathDate].text))
        }
    }

    init(_ sql: any SQLStatements, heldByCase: Set<String>) throws {
        var reader = FactsReader()
        let count = Int(try sql.integer("SELECT count(*) FROM enrollments") ?? 0)
        var read: [RollBook.Entry] = []
        read.reserveCapacity(count)
        /// Each row's village and household as stored (NULL sorts first, as in SQL).
        var keys: [(village: String?, household: String?)] = []
        keys.reserveCapacity(count)
        var conflictedRows: [Int: [(RecordType, String)]] = [:]
        let conflictColumns = [
            (RecordType.enrollment, Column.enrollmentConflicts), (.member, Column.memberConflicts),
            (.household, Column.householdConflicts),
        ]
        struct PersonKey: Hashable {
            let idHash: String
            let program: Program?
        }
        var personNumbers: [PersonKey: Int] = [:]
        personNumbers.reserveCapacity(count)
        try sql.forEachRow(Self.sql, []) { row in
            guard let id = row[Column.enrollment].text.flatMap(RecordID.init),
                let member = row[Column.member].text.flatMap(RecordID.init)
            else { return }
            let facts = reader.facts(row)
            let village = row[Column.village].text
            let household = row[Column.household].text
            let entry = RollBook.Entry(
                id: id, member: member, household: household ?? "", village: village ?? "",
                name: row[Column.name].text ?? "", facts: facts, idSealed: row[Column.idSealed].text,
                idHash: row[Column.idHash].text, cardSealed: row[Column.cardSealed].text,
                cardHash: row[Column.cardHash].text)
            entry.heldAlways = heldByCase.contains(id.value)
            var conflicted: [(RecordType, String)] = []
            for (type, column) in conflictColumns {
                guard let list = row[column].text, !list.isEmpty else { continue }
                for field in list.split(separator: ",") where ConflictRules.decidesMoney(type, String(field)) {
                    conflicted.append((type, String(field)))
                }
            }
            if !conflicted.isEmpty, !entry.heldAlways {
                if conflicted.contains(where: { !ReplicaCore.factFields.contains("\($0.0.rawValue).\($0.1)") }) {
                    entry.heldAlways = true
                } else {
                    conflictedRows[read.count] = conflicted
                }
            }
            if let hash = entry.idHash {
                let key = PersonKey(idHash: hash, program: facts.program)
                entry.person = personNumbers[key, default: personNumbers.count]
                personNumbers[key] = entry.person
            }
            read.append(entry)
            keys.append((village, household))
        }
        // ORDER BY village, household, id: SQL's order (NULL first, then bytes); ids are unique.
        let order = read.indices.sorted { a, b in
            let byVillage = BinaryCollation.compare(keys[a].village, keys[b].village)
            if byVillage != 0 { return byVillage < 0 }
            let byHousehold = BinaryCollation.compare(keys[a].household, keys[b].household)
            if byHousehold != 0 { return byHousehold < 0 }
            return BinaryCollation.compare(read[a].id.value, read[b].id.value) < 0
        }
        persons = personNumbers.count
        entries.reserveCapacity(order.count)
        index.reserveCapacity(order.count)
        for (position, row) in order.enumerated() {
            entries.append(read[row])
            index[read[row].id.value] = position
            if let fields = conflictedRows[row] { conflicted.append((position, fields)) }
        }
    }
}

/// Positions by record id: a canonical id (every stored one) by its ``PackedRecordID``, any
/// other by its text. A roll looks an enrollment up for every line each locked month paid.
struct EntryIndex {
    private var packed: [PackedRecordID: Int] = [:]
    private var other: [String: Int] = [:]

    mutating func reserveCapacity(_ count: Int) { packed.reserveCapacity(count) }

    subscript(id: String) -> Int? {
        get {
            guard let key = PackedRecordID(id) else { return other[id] }
            return packed[key]
        }
        set {
            guard let key = PackedRecordID(id) else {
                other[id] = newValue
                return
            }
            packed[key] = newValue
        }
    }
}

/// Values parsed from text, each distinct text once; nil stays nil, and so does a text that
/// does not parse.
struct TextCache<Value> {
    private var known: [String: Value?] = [:]
    private let parse: (String) -> Value?

    init(_ parse: @escaping (String) -> Value?) {
        self.parse = parse
    }

    subscript(text: String?) -> Value? {
        mutating get {
            guard let text else { return nil }
            if let value = known[text] { return value }
            let value = parse(text)
            known[text] = value
            return value
        }
    }
}
