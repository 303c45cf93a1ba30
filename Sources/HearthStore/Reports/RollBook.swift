import HearthCore
import HearthText

/// Everything a roll is computed from, read once: each enrollment's facts, what the locked
/// rolls paid for each month, the holds, the standards and the county's rules.
///
/// The roll of a month, its adjustments for locked months, and recovery are all answers of
/// ``Entitlement`` over this book, so they agree by construction; reading it once keeps a roll
/// over a county with many locked months linear in the county, not in months × county.
package struct RollBook {
    /// One enrollment with what the roll needs beside its facts. A class: a county's roll
    /// goes over a hundred thousand of them once per month it settles, and a copy of a
    /// reference is one count, not one per text it holds.
    package final class Entry {
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
        /// The number of the person and program (ID number hash and program): entries of one
        /// person in one program share it, and the roll pays one of them (nil without a hash).
        package var person: Int?
        /// The ID number as this read opened it: nil until opened, `.some(nil)` where this key
        /// cannot open it. A report over a year rolls each month over one book, and each number
        /// is opened (and looked up) once, not once a month. Kept for the read, never stored.
        private var openedID: String??

        package init(
            id: RecordID, member: RecordID, household: String, village: String, name: String, facts: EnrollmentFacts,
            idSealed: String?, idHash: String?, cardSealed: String?, cardHash: String?
        ) {
            self.id = id
            self.member = member
            self.household = household
            self.village = village
            self.name = name
            self.facts = facts
            self.idSealed = idSealed
            self.idHash = idHash
            self.cardSealed = cardSealed
            self.cardHash = cardHash
        }

        /// The ID number in clear, opened through `opened` the first time it is asked for; nil
        /// without one, or when this key cannot open it.
        package func idNumber(_ opened: inout OpenedValues) -> String? {
            if let known = openedID { return known }
            guard let box = idSealed, let digest = idHash else { return nil }
            let clear = opened.open(SealedValue(box: box, digest: digest))
            openedID = .some(clear)
            return clear
        }

        /// Whether ``idNumber(_:)`` has been asked for already.
        package var idNumberOpened: Bool { openedID != nil }
    }

    package let standards: StandardTable
    package let rules: CountyRules
    package let entries: [Entry]
    /// How many persons and programs the entries' ``Entry/person`` numbers count.
    package let persons: Int
    /// What locked rolls paid, adjustments included: for each month paid for, the fen paid
    /// for each entry, by its index in ``entries``.
    package let paid: [Month: [Int64]]
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

    /// What locked rolls paid for the entry at this index of ``entries`` for a month.
    package func paid(_ index: Int, for month: Month) -> Int64 { paid[month]?[index] ?? 0 }
}

extension ReplicaReading {
    /// Reads the book for a roll of `month`: the locked months before it and what they paid.
    ///
    /// One pass over the enrollments with their member and household, columns read by
    /// position and each distinct month, date and amount text parsed once; then one pass over
    /// the locked lines, summed into a column per month. A county's roll reads each record
    /// once, whatever the number of lines or locked months.
    package func rollBook(before month: Month, nowMillis: Int64) throws(ReplicaError) -> RollBook {
        let cases = try ruleCases(nowMillis: nowMillis)
        let standards = try standardTable()
        let heldByCase = Set(cases.flatMap(\.holds).map(\.value))
        let (rules, read, locked, paid): (CountyRules, BookRows, [Month], [Month: [Int64]]) = try withStatements {
            sql in
            let rules = try ReplicaCore.countyRules(sql)
            let read = try BookRows(sql, heldByCase: heldByCase)
            var paid: [Month: [Int64]] = [:]
            // The lines come a month at a time: each month's column is found once.
            var column: (text: String, month: Month?, fen: [Int64])?
            func store() {
                if let column, let month = column.month { paid[month] = column.fen }
            }
            let locked = try readingRole.paidBefore(sql, month: month) { enrollment, forMonth, fen in
                if column?.text != forMonth {
                    store()
                    let month = try? Month.parse(forMonth, field: "month")
                    column = (
                        forMonth, month,
                        month.flatMap { paid.removeValue(forKey: $0) }
                            ?? Array(
                                repeating: 0, count: read.entries.count)
                    )
                }
                guard let index = read.index[enrollment], column?.month != nil else { return }
                try Totals.add(
                    &column!.fen[index], fen,
                    Catalogue.text("roll.what_paid", ["enrollment": "\(enrollment)", "month": "\(forMonth)"]))
            }
            store()
            return (rules, read, locked, paid)
        }
        for (index, conflicted) in read.conflicted {
            let entry = read.entries[index]
            entry.alternatives = try alternatives(of: entry, conflicted: conflicted)
            if entry.alternatives.isEmpty { entry.heldAlways = true }
        }
        return RollBook(
            standards: standards, rules: rules, entries: read.entries, persons: read.persons, paid: paid,
            lockedMonths: locked)
    }

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
            readings = readings.flatMap { facts in
                values.map { ReplicaCore.facts(facts, setting: field, of: type, to: $0) }
            }
            if readings.count > 64 { return [] }
        }
        return readings
    }
}

extension ReplicaCore {
    /// The fields that feed ``EnrollmentFacts``: a conflict on one of them holds only the
    /// months its competing values disagree on.
    package static let factFields: Set<String> = [
        "enrollment.program", "enrollment.status", "enrollment.decision", "enrollment.amount", "enrollment.start_month",
        "enrollment.end_month", "enrollment.exit_reason", "enrollment.suspended_from", "member.vital_status",
        "member.death_date", "member.birth_date", "member.disability_grade",
    ]

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
