import GRDB
import HearthCore

/// One standard as the replica holds it, with the record that carries it.
public struct StandardEntry: Sendable {
    public let id: RecordID
    public let standard: ProgramStandard
    public let note: String?
}

extension ReplicaCore {
    /// Every program standard this replica holds (every node of the county holds them all).
    public func standards() throws(ReplicaError) -> [StandardEntry] {
        try read { db in try ReplicaCore.standards(db) }
    }

    /// The standards as a table, for computing what enrollments pay.
    public func standardTable() throws(ReplicaError) -> StandardTable {
        StandardTable(try standards().map(\.standard))
    }

    /// What an enrollment pays month by month once the county's standards apply: its own
    /// schedule, followed by each raise it qualifies for. Nil when it has no amount.
    public func payingSchedule(of enrollment: RecordID) throws(ReplicaError) -> AmountSchedule? {
        let table = try standardTable()
        return try read { db in
            let rules = try ReplicaCore.countyRules(db)
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT e.program, e.amount, m.disability_grade, m.birth_date FROM enrollments e
                        LEFT JOIN members m ON m.id = e.member WHERE e.id = ?
                        """, arguments: [enrollment.value]),
                let program = Program(rawValue: row["program"] as String? ?? ""),
                let own = (row["amount"] as String?).flatMap(AmountSchedule.init(text:))
            else { return nil }
            return table.effective(own, program: program, member: row, rules: rules)
        }
    }

    package static func standards(_ db: Database) throws -> [StandardEntry] {
        try standards(SQLiteStatements(db))
    }

    package static func standards(_ sql: any SQLStatements) throws -> [StandardEntry] {
        try sql.rows(
            "SELECT id, program, band, from_month, amount, note FROM standards ORDER BY program, band, from_month, id",
            []
        ).compactMap { row in
            guard let id = row[0].text.flatMap(RecordID.init),
                let program = row[1].text.flatMap({ Program(rawValue: $0) }),
                let from = row[3].text.flatMap({ try? Month.parse($0, field: "from") }), let fen = row[4].integer
            else { return nil }
            return StandardEntry(
                id: id,
                standard: ProgramStandard(
                    program: program, band: row[2].text ?? "", from: from, amount: Money(fen: fen)),
                note: row[5].text)
        }
    }
}

extension StandardTable {
    /// ``effective(_:program:grade:birth:rules:)`` for a row carrying the member's
    /// `disability_grade` and `birth_date` columns, as the roll and `show` read them.
    package func effective(_ schedule: AmountSchedule, program: Program, member row: Row, rules: CountyRules)
        -> AmountSchedule
    {
        effective(
            schedule, program: program, grade: (row["disability_grade"] as Int64?).map { Int($0) },
            birth: (row["birth_date"] as String?).flatMap { try? CivilDate.parse($0, field: "birth") }, rules: rules)
    }
}
