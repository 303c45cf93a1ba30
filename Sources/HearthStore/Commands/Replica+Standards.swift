import HearthCore

/// One standard as the replica holds it, with the record that carries it.
public struct StandardEntry: Sendable {
    public let id: RecordID
    public let standard: ProgramStandard
    public let note: String?
}

extension ReplicaReading {
    /// Every program standard this replica holds (every node of the county holds them all).
    package func standards() throws(ReplicaError) -> [StandardEntry] {
        try withStatements { sql in try ReplicaCore.standards(sql) }
    }

    /// The standards as a table, for computing what enrollments pay.
    package func standardTable() throws(ReplicaError) -> StandardTable {
        StandardTable(try standards().map(\.standard))
    }

    /// What an enrollment pays month by month once the county's standards apply: its own
    /// schedule, followed by each raise it qualifies for. Nil when it has no amount.
    package func payingSchedule(of enrollment: RecordID) throws(ReplicaError) -> AmountSchedule? {
        let table = try standardTable()
        return try withStatements { sql in
            let rules = try ReplicaCore.countyRules(sql)
            guard
                let row = try sql.rows(
                    """
                    SELECT e.program, e.amount, m.disability_grade, m.birth_date FROM enrollments e
                    LEFT JOIN members m ON m.id = e.member WHERE e.id = ?
                    """, [.text(enrollment.value)]
                ).first,
                let program = row[0].text.flatMap(Program.init(rawValue:)),
                let own = row[1].text.flatMap(AmountSchedule.init(text:))
            else { return nil }
            return table.effective(
                own, program: program, grade: row[2].integer.map { Int($0) },
                birth: row[3].text.flatMap { try? CivilDate.parse($0, field: "birth") }, rules: rules)
        }
    }
}

extension ReplicaCore {
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
