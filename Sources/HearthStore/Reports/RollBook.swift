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
    /// Each entry's ``SettleDigest``, by index; empty when no month is locked.
    package let digests: [SettleDigest]
    /// The entries whose locked months a roll judges again for adjustments, ascending; nil for
    /// all. The others carry the last lock's mark with their digest unchanged (``SettledMarks``):
    /// their locked months owe what was paid.
    package let judged: [Int]?
    /// The last lock's mark of each entry, by index, as read; empty when none were read.
    package let marks: [SettleDigest?]
    /// The marks of enrollments the book does not hold (the next lock clears them: were one
    /// back, the months locked meanwhile were never judged for it).
    package let strayMarks: [String]

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

    /// Opens every entry's ID number that is not open yet, on every core, and keeps it in its
    /// entry: after this, rolls over the book only read it, so several months can be rolled
    /// over it at once (``ReplicaReading/rollAhead(from:to:book:)``).
    package func openEveryIDNumber(keys: KeyMaterial) {
        var opened = OpenedValues(keys: keys)
        var sealed: [SealedValue] = []
        sealed.reserveCapacity(entries.count)
        for entry in entries where !entry.idNumberOpened {
            if let box = entry.idSealed, let digest = entry.idHash {
                sealed.append(SealedValue(box: box, digest: digest))
            }
        }
        opened.openAhead(sealed)
        for entry in entries where !entry.idNumberOpened { _ = entry.idNumber(&opened) }
    }
}

extension ReplicaReading {
    /// Reads the book for a roll of `month`: the locked months before it and what they paid.
    ///
    /// One pass over the enrollments with their member and household, columns read by
    /// position and each distinct month, date and amount text parsed once; then the locked
    /// lines, summed into a column per month. All in one read of the statements, so the
    /// entries, the lines and the last lock's marks agree.
    ///
    /// With `usingMarks` (a roll) only the entries whose inputs changed since the last lock
    /// are judged again for the locked months (``RollBook/judged``), and only their lines are
    /// read when they are few: the other entries' columns are then zero, as nothing reads
    /// them. `judging`: enrollments judged again whatever their marks, with their person's
    /// other records. `everyEntryPaidFor`: a month whose column is read for every entry (the
    /// lock, which judges the month it locks for all). Without `usingMarks` every entry is
    /// judged and every line read (``ReplicaReading/owed(in:nowMillis:)``, and the tests that
    /// check the marks change no roll).
    package func rollBook(
        before month: Month, nowMillis: Int64, usingMarks: Bool = true, judging: Set<RecordID> = [],
        everyEntryPaidFor: Month? = nil
    ) throws(ReplicaError) -> RollBook {
        let cases = try ruleCases(nowMillis: nowMillis)
        let standards = try standardTable()
        let heldByCase = Set(cases.flatMap(\.holds).map(\.value))
        let role = readingRole
        return try withStatements { sql in
            let rules = try ReplicaCore.countyRules(sql)
            let read = try BookRows(sql, heldByCase: heldByCase)
            for (index, conflicted) in read.conflicted {
                let entry = read.entries[index]
                entry.alternatives = try Self.alternatives(sql, of: entry, conflicted: conflicted)
                if entry.alternatives.isEmpty { entry.heldAlways = true }
            }
            let locked = try role.lockedMonths(sql, before: month)
            var digests: [SettleDigest] = []
            var judged: [Int]?
            var lastMarks: [SettleDigest?] = []
            var strayMarks: [String] = []
            if !locked.isEmpty {
                digests = SettledMarks.digests(read.entries, persons: read.persons, standards: standards, rules: rules)
                if usingMarks {
                    var marks = [SettleDigest?](repeating: nil, count: read.entries.count)
                    try role.settledMarks(sql) { enrollment, mark in
                        if let index = read.index[enrollment] {
                            marks[index] = mark
                        } else {
                            strayMarks.append(enrollment)
                        }
                    }
                    lastMarks = marks
                    // No mark: judged again, with the other records of the person.
                    for (index, entry) in read.entries.enumerated() where judging.contains(entry.id) {
                        marks[index] = nil
                    }
                    judged = SettledMarks.unsettled(read.entries, persons: read.persons, digests: digests, marks: marks)
                }
            }
            // Each judged enrollment's lines by index when they are few; else one pass over all.
            let paid = try Self.paid(read) { line in
                guard let judged, judged.count <= read.entries.count / Self.fewJudged else {
                    try role.paidBefore(sql, month: month, only: nil, line)
                    return
                }
                let only = judged.map { read.entries[$0] }
                guard let every = everyEntryPaidFor, every < month else {
                    try role.paidBefore(sql, month: month, only: only, line)
                    return
                }
                try role.paidBefore(sql, month: every, only: only, line)
                try role.paid(sql, for: every, line)
            }
            return RollBook(
                standards: standards, rules: rules, entries: read.entries, persons: read.persons, paid: paid,
                lockedMonths: locked, digests: digests, judged: judged, marks: lastMarks,
                strayMarks: strayMarks)
        }
    }

    /// A roll reads only the judged entries' lines when they are at most this part of all
    /// (one in eight): past that, one pass over every line costs less than a lookup each.
    static var fewJudged: Int { 8 }

    /// What the locked lines `lines` hands its body paid, for each month a column by entry index.
    private static func paid(
        _ read: BookRows,
        lines: ((_ enrollment: String, _ forMonth: String, _ fen: Int64) throws -> Void) throws -> Void
    ) throws -> [Month: [Int64]] {
        // A column per month text; the full read gives a month's lines together, so the
        // column of the line before is most often the line's own.
        var columns: [(month: Month?, fen: [Int64])] = []
        var slots: [String: Int] = [:]
        var last: (text: String, slot: Int)?
        try lines { enrollment, forMonth, fen in
            let slot: Int
            if let last, last.text == forMonth {
                slot = last.slot
            } else if let known = slots[forMonth] {
                slot = known
            } else {
                slot = columns.count
                slots[forMonth] = slot
                let month = try? Month.parse(forMonth, field: "month")
                columns.append((month, month == nil ? [] : Array(repeating: 0, count: read.entries.count)))
            }
            last = (forMonth, slot)
            guard columns[slot].month != nil, let index = read.index[enrollment] else { return }
            try Totals.add(
                &columns[slot].fen[index], fen,
                Catalogue.text("roll.what_paid", ["enrollment": "\(enrollment)", "month": "\(forMonth)"]))
        }
        var paid: [Month: [Int64]] = [:]
        for column in columns {
            guard let month = column.month else { continue }
            // Two texts of one month (not as the lock writes them) add up.
            if var earlier = paid[month] {
                for index in earlier.indices {
                    try Totals.add(
                        &earlier[index], column.fen[index],
                        Catalogue.text(
                            "roll.what_paid", ["enrollment": "\(read.entries[index].id)", "month": "\(month)"]))
                }
                paid[month] = earlier
            } else {
                paid[month] = column.fen
            }
        }
        return paid
    }

    /// Every combination of the competing values of the conflicted fact fields, as facts;
    /// empty when there are too many to weigh (the enrollment is then held whole).
    private static func alternatives(
        _ sql: any SQLStatements, of entry: RollBook.Entry, conflicted: [(RecordType, String)]
    ) throws -> [EnrollmentFacts] {
        var readings = [entry.facts]
        for (type, field) in conflicted {
            let record = type == .enrollment ? entry.id : entry.member
            guard let state = try StoredState.load(sql, record) else { return [] }
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
