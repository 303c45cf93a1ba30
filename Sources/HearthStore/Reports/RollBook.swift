import GRDB
import HearthCore

/// Everything a roll is computed from, read once: each enrollment's facts, what the locked
/// rolls paid for each month, the holds, the standards and the county's rules.
///
/// The roll of a month, its adjustments for locked months, and recovery are all answers of
/// ``Entitlement`` over this book, so they agree by construction; reading it once keeps a roll
/// over a county with many locked months linear in the county, not in months × county.
package struct RollBook {
    /// One enrollment with what the roll needs beside its facts.
    package struct Entry {
        package let id: RecordID
        package let member: RecordID
        package let household: String
        package let village: String
        package let name: String
        package let facts: EnrollmentFacts
        package let idSealed: String?
        package let idHash: String?
        package let cardSealed: String?
        package let cardHash: String?
        /// Set when payments are held whatever the month (a rule case, a conflict over where
        /// the money goes or who the person is).
        package var heldAlways = false
        /// The competing readings of a field in conflict that decides what a month owes:
        /// only the months on which they differ are held.
        package var alternatives: [EnrollmentFacts] = []
    }

    package let standards: StandardTable
    package let rules: CountyRules
    package let entries: [Entry]
    /// What locked rolls paid, adjustments included: enrollment id → month → fen.
    package let paid: [String: [Month: Int64]]
    /// Locked months before the roll's month, ascending.
    package let lockedMonths: [Month]

    /// Whether the enrollment's payment for a month is held by a conflict or a rule case.
    package func isHeld(_ entry: Entry, in month: Month) -> Bool {
        if entry.heldAlways { return true }
        guard entry.alternatives.count > 1 else { return false }
        return !Entitlement.disputedMonths(entry.alternatives, months: [month], standards: standards, rules: rules)
            .isEmpty
    }

    package func outcome(_ entry: Entry, in month: Month) -> MonthOutcome {
        Entitlement.outcome(entry.facts, in: month, standards: standards, rules: rules)
    }

    package func paid(_ entry: Entry, for month: Month) -> Int64 { paid[entry.id.value]?[month] ?? 0 }
}

extension ReplicaCore {
    /// Reads the book for a roll of `month`: the locked months before it and what they paid.
    package func rollBook(before month: Month, nowMillis: Int64) throws(ReplicaError) -> RollBook {
        let cases = try ruleCases(nowMillis: nowMillis)
        let standards = try standardTable()
        let heldByCase = Set(cases.flatMap(\.holds).map(\.value))
        let (rules, rows, history): (CountyRules, [Row], (paid: [String: [Month: Int64]], locked: [Month])) =
            try read { db in
                (
                    try ReplicaCore.countyRules(db),
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT e.id AS enrollment, e.program, e.status, e.decision, e.amount, e.start_month, e.end_month,
                                   e.exit_reason, e.suspended_from, e.household, e.village, e.conflicts AS e_conflicts,
                                   m.id AS member, m.name, m.vital_status, m.death_date, m.disability_grade, m.birth_date,
                                   m.id_number_sealed, m.id_number_hash, m.conflicts AS m_conflicts,
                                   h.bank_card_sealed, h.bank_card_hash, h.conflicts AS h_conflicts
                            FROM enrollments e JOIN members m ON m.id = e.member LEFT JOIN households h ON h.id = e.household
                            ORDER BY e.village, e.household, e.id
                            """),
                    try role.paidBefore(db, month: month)
                )
            }
        let paid = history.paid
        var entries: [RollBook.Entry] = []
        entries.reserveCapacity(rows.count)
        for row in rows {
            guard let id = RecordID(row["enrollment"] as String), let member = RecordID(row["member"] as String) else {
                continue
            }
            var entry = RollBook.Entry(
                id: id, member: member, household: row["household"] ?? "", village: row["village"] ?? "",
                name: row["name"] ?? "", facts: Self.facts(row), idSealed: row["id_number_sealed"],
                idHash: row["id_number_hash"],
                cardSealed: row["bank_card_sealed"], cardHash: row["bank_card_hash"])
            entry.heldAlways = heldByCase.contains(id.value)
            let conflicted = [
                (RecordType.enrollment, row["e_conflicts"] as String?), (.member, row["m_conflicts"]),
                (.household, row["h_conflicts"]),
            ].flatMap { type, list in
                (list ?? "").split(separator: ",").map { (type, String($0)) }.filter {
                    ConflictRules.decidesMoney($0.0, $0.1)
                }
            }
            if !conflicted.isEmpty, !entry.heldAlways {
                if conflicted.contains(where: { !Self.factFields.contains("\($0.0.rawValue).\($0.1)") }) {
                    entry.heldAlways = true
                } else {
                    entry.alternatives = try alternatives(of: entry, conflicted: conflicted)
                    if entry.alternatives.isEmpty { entry.heldAlways = true }
                }
            }
            entries.append(entry)
        }
        return RollBook(
            standards: standards, rules: rules, entries: entries, paid: paid,
            lockedMonths: history.locked)
    }

    /// The fields that feed ``EnrollmentFacts``: a conflict on one of them holds only the
    /// months its competing values disagree on.
    package static let factFields: Set<String> = [
        "enrollment.program", "enrollment.status", "enrollment.decision", "enrollment.amount", "enrollment.start_month",
        "enrollment.end_month", "enrollment.exit_reason", "enrollment.suspended_from", "member.vital_status",
        "member.death_date", "member.birth_date", "member.disability_grade",
    ]

    /// Every combination of the competing values of the conflicted fact fields, as facts;
    /// empty when there are too many to weigh (the enrollment is then held whole).
    private func alternatives(of entry: RollBook.Entry, conflicted: [(RecordType, String)]) throws(ReplicaError)
        -> [EnrollmentFacts]
    {
        var readings = [entry.facts]
        for (type, field) in conflicted {
            let record = type == .enrollment ? entry.id : entry.member
            guard let state = try state(of: record) else { return [] }
            let policy = RecordSchema.field(field, of: type)?.policy ?? .lww
            guard let register = state.registers[field] else { continue }
            var values: [FieldValue] = []
            for candidate in Resolution.resolve(register, policy: policy).candidates
            where !values.contains(where: { $0.sameMeaning(as: candidate.value) }) {
                values.append(candidate.value)
            }
            readings = readings.flatMap { facts in values.map { Self.facts(facts, setting: field, of: type, to: $0) } }
            if readings.count > 64 { return [] }
        }
        return readings
    }

    /// Facts from a row of the book's query.
    package static func facts(_ row: Row) -> EnrollmentFacts {
        func month(_ column: String) -> Month? {
            (row[column] as String?).flatMap { try? Month.parse($0, field: column) }
        }
        func date(_ column: String) -> CivilDate? {
            (row[column] as String?).flatMap { try? CivilDate.parse($0, field: column) }
        }
        return EnrollmentFacts(
            program: (row["program"] as String?).flatMap(Program.init(rawValue:)), status: row["status"],
            decision: row["decision"],
            exitReason: row["exit_reason"], start: month("start_month"), end: month("end_month"),
            schedule: (row["amount"] as String?).flatMap(AmountSchedule.init(text:)),
            suspendedFrom: month("suspended_from"),
            grade: (row["disability_grade"] as Int64?).map { Int($0) }, birth: date("birth_date"),
            deceased: (row["vital_status"] as String?) == "deceased", deathDate: date("death_date"))
    }

    /// The facts with one field read as another of its competing values.
    package static func facts(_ base: EnrollmentFacts, setting field: String, of type: RecordType, to value: FieldValue)
        -> EnrollmentFacts
    {
        var facts = base
        let text = value.textValue
        func month() -> Month? { text.flatMap { try? Month.parse($0, field: field) } }
        switch (type, field) {
        case (.enrollment, "program"): facts.program = text.flatMap(Program.init(rawValue:))
        case (.enrollment, "status"): facts.status = text
        case (.enrollment, "decision"): facts.decision = text
        case (.enrollment, "amount"): facts.schedule = text.flatMap(AmountSchedule.init(text:))
        case (.enrollment, "start_month"): facts.start = month()
        case (.enrollment, "end_month"): facts.end = month()
        case (.enrollment, "exit_reason"): facts.exitReason = text
        case (.enrollment, "suspended_from"): facts.suspendedFrom = month()
        case (.member, "vital_status"): facts.deceased = text == "deceased"
        case (.member, "death_date"): facts.deathDate = text.flatMap { try? CivilDate.parse($0, field: field) }
        case (.member, "birth_date"): facts.birth = text.flatMap { try? CivilDate.parse($0, field: field) }
        case (.member, "disability_grade"): facts.grade = value.integerValue.map { Int($0) }
        default: break
        }
        return facts
    }
}
