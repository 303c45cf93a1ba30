import Foundation
import HearthCore
import HearthStore
import HearthText

/// Checks a roster against itself and against the hub, and plans the records to create.
///
/// Reads only, through the storage's ``CountyReading``: the same plan serves `--dry-run` (in a
/// read) and the import (inside its edit, so nothing can change between the check and the
/// write). Each cell is checked
/// by ``RosterRow``; here the rows are checked together (one household's rows agree, a person
/// is in one household, one head per household, a program once per person) and against the
/// hub (what earlier imports created, ID numbers registered by other means, live
/// enrollments, the rules `hearth enroll` applies).
struct RosterPlanner: Sendable {
    let table: SpreadsheetTable
    let columns: [RosterColumn: String]
    let keys: KeyMaterial
    let scope: ScopePrefix
    let today: CivilDate
    /// Told after each household is checked.
    var progress: RosterProgressReport?

    /// The import-key prefix of every roster record.
    static let keyPrefix = "roster|"

    /// A row's household or person slot when its cells name none.
    static let none: Int32 = -1

    /// What the hub holds for a roster person, as much of it as the plan goes on to use.
    struct PersonFound: Equatable {
        /// The member an earlier import created (or the one holding the ID number).
        var existing: RecordID?
        /// True when the member was found by its ID number, not by its key.
        var recordKey = false
        var deceased = false
        var birthDate: CivilDate?
        var grade: Int?
    }

    func plan(_ lookup: any CountyReading) throws -> RosterPlan {
        // The keyed hash's key absorbed once for the file's ID numbers, not once a number.
        let hasher = keys.opener()
        let prepared = RosterPreparation(table, columns: columns)
        var rows = prepared.rows.map { RosterRow($0, columns: columns, scope: scope, today: today) }
        func header(_ column: RosterColumn) -> String { columns[column] ?? column.chineseHeader }
        func flag(_ index: Int, _ column: RosterColumn, _ key: String, _ values: [String: String] = [:]) {
            flag(index, column, LocalizedText(key, values))
        }
        func flag(_ index: Int, _ column: RosterColumn, _ message: LocalizedText) {
            rows[index].problems.append(ImportProblem(line: rows[index].line, field: header(column), message))
        }
        func flag(_ index: Int, _ column: RosterColumn, words: (Language) -> String) {
            rows[index].problems.append(ImportProblem(line: rows[index].line, field: header(column), words: words))
        }
        /// Keys as earlier imports wrote them, for a key whose 户号 was written with leading zeros
        /// (imports before 户号 were canonical kept `001` as it was): canonical key → those keys.
        var legacyKeys: [String: [String]] = [:]
        func importedRecord(_ key: String) throws -> RecordID? {
            if let record = try lookup.importedRecord(key) { return record }
            for legacy in legacyKeys[key] ?? [] {
                if let record = try lookup.importedRecord(legacy) { return record }
            }
            return nil
        }
        func noteLegacy(_ key: String, _ legacy: String) {
            if !(legacyKeys[key] ?? []).contains(legacy) { legacyKeys[key, default: []].append(legacy) }
        }

        // Keys, and the rows of each household and each person, in file order. Households and
        // persons are numbered (their slots in `householdRows` and `memberRows`), and what the
        // plan learns about each is kept in arrays by that number: a county's roster has
        // 360,000 rows, and a dictionary by key of each thing learnt cost it hundreds of MB.
        var householdRows: [(key: String, rows: [Int])] = []
        var memberRows: [(key: String, rows: [Int])] = []
        /// Each row's household and person, by slot; `none` when the row's cells name none.
        var householdOf = [Int32](repeating: Self.none, count: rows.count)
        var memberOf = [Int32](repeating: Self.none, count: rows.count)
        var householdIndex: [String: Int] = [:]
        var memberIndex: [String: Int] = [:]
        for (index, row) in rows.enumerated() {
            guard let householdKey = row.householdKey else { continue }
            if let slot = householdIndex[householdKey] {
                householdRows[slot].rows.append(index)
                householdOf[index] = Int32(slot)
            } else {
                householdOf[index] = Int32(householdRows.count)
                householdIndex[householdKey] = householdRows.count
                householdRows.append((householdKey, [index]))
            }
            guard let name = row.name, let village = row.village, let number = row.householdNumber else { continue }
            if let written = row.legacyHouseholdNumber {
                noteLegacy(householdKey, Self.keyPrefix + "H|\(village.value)|\(written)")
            }
            let memberKey: String
            if let id = row.idNumber {
                memberKey = Self.keyPrefix + "M|" + hasher.digest(id.value)
            } else if row.idMissing {
                memberKey = Self.keyPrefix + "M|\(village.value)|\(number)|\(name)"
                if let written = row.legacyHouseholdNumber {
                    noteLegacy(memberKey, Self.keyPrefix + "M|\(village.value)|\(written)|\(name)")
                }
            } else {
                continue
            }
            if let slot = memberIndex[memberKey] {
                memberRows[slot].rows.append(index)
                memberOf[index] = Int32(slot)
            } else {
                memberOf[index] = Int32(memberRows.count)
                memberIndex[memberKey] = memberRows.count
                memberRows.append((memberKey, [index]))
            }
        }
        householdIndex = [:]
        memberIndex = [:]

        // One household's rows agree; a new household has an address and a type somewhere.
        var households: [RosterPlan.Household] = []
        households.reserveCapacity(householdRows.count)
        for (number, (key, indices)) in householdRows.enumerated() {
            progress?(RosterProgress(stage: .checking, done: number, total: householdRows.count))
            let first = rows[indices[0]]
            let existing = try importedRecord(key)
            var existingHead: String?
            if let existing {
                let held = try lookup.household(existing)
                let values = ["number": first.householdNumber ?? "", "id": existing.value]
                let problem: LocalizedText? =
                    held == nil
                    ? LocalizedText("roster.household_gone", values)
                    : held?.status == "archived" ? LocalizedText("roster.household_archived", values) : nil
                if let problem { for index in indices { flag(index, .household, problem) } }
                existingHead = held?.head
            }
            var household = RosterPlan.Household(
                key: key, village: first.village!, number: first.householdNumber!, line: first.line, existing: existing,
                existingHead: existingHead)
            var firstLines: [RosterColumn: Int] = [:]
            let number = household.number  // read apart: `merge` runs during an inout access to `household`
            for index in indices {
                let row = rows[index]
                func merge<T: Equatable>(_ column: RosterColumn, _ value: T?, _ slot: inout T?) {
                    guard let value else { return }
                    if let held = slot {
                        if held != value {
                            flag(
                                index, column, "roster.household_differs",
                                ["line": "\(firstLines[column] ?? 0)", "number": number, "column": header(column)])
                        }
                    } else {
                        slot = value
                        firstLines[column] = row.line
                    }
                }
                merge(.address, row.address, &household.address)
                merge(.type, row.type, &household.type)
                merge(.phone, row.phone, &household.phone)
                merge(.bankCard, row.bankCard, &household.bankCard)
            }
            if existing == nil {
                for (column, value) in [(RosterColumn.address, household.address), (.type, household.type)]
                where value == nil {
                    for index in indices where !rows[index].problems.contains(where: { $0.field == header(column) }) {
                        flag(index, column, "roster.household_empty", ["number": household.number])
                    }
                }
            }
            households.append(household)
        }
        /// The household of row `index`, when its cells name one.
        func household(_ index: Int) -> RosterPlan.Household? {
            householdOf[index] == Self.none ? nil : households[Int(householdOf[index])]
        }

        // A person: one household, one name, one relation, one grade, each program once.
        var rosterRecords: Set<RecordID>?
        func importedByRoster(_ record: RecordID) throws -> Bool {
            if rosterRecords == nil { rosterRecords = try lookup.importedRecords(keyPrefix: Self.keyPrefix) }
            return rosterRecords!.contains(record)
        }
        /// What the hub holds for each person, by member slot: an index into `found`, or `none`
        /// when it holds nothing (every person of a new county's roster).
        var foundAt: [Int32] = []
        foundAt.reserveCapacity(memberRows.count)
        var found: [PersonFound] = []
        func person(_ slot: Int) -> PersonFound {
            foundAt[slot] == Self.none ? PersonFound() : found[Int(foundAt[slot])]
        }
        /// Each household's head, by household slot: the first row's line and name.
        var headOf = [(line: Int, name: String)?](repeating: nil, count: householdRows.count)
        /// Each person's relation, by member slot.
        var relations: [String?] = []
        relations.reserveCapacity(memberRows.count)
        for (key, indices) in memberRows {
            let first = rows[indices[0]]
            if Set(indices.map { householdOf[$0] }).count > 1 {
                let places = indices.map { ["line": "\(rows[$0].line)", "number": rows[$0].householdNumber ?? ""] }
                for index in indices {
                    flag(index, .idNumber) { language in
                        let list = places.map { Catalogue.text("roster.place", $0, in: language) }
                            .joined(separator: language == .zh ? "、" : ", ")
                        return Catalogue.text("roster.two_households", ["places": list], in: language)
                    }
                }
            }
            // The relation the person's first row with one gives; later rows must agree.
            let relationRow = indices.lazy.map { rows[$0] }.first { $0.relation != nil }
            let relation = relationRow?.relation
            relations.append(relation)
            var programs: [Program: Int] = [:]
            for index in indices {
                let row = rows[index]
                if index != indices[0] {
                    if let name = row.name, let held = first.name, name != held {
                        flag(index, .name, "roster.other_name", ["line": "\(first.line)", "name": held])
                    }
                }
                if let own = row.relation, let relation, let relationRow, own != relation {
                    flag(index, .relation, "roster.person_differs", ["line": "\(relationRow.line)"])
                }
                if let grade = row.grade, let other = indices.lazy.map({ rows[$0] }).first(where: { $0.grade != nil }),
                    other.grade != grade
                {
                    flag(index, .disabilityGrade, "roster.person_differs", ["line": "\(other.line)"])
                }
                if let program = row.program {
                    if let line = programs[program] {
                        flag(
                            index, .program, "roster.program_twice",
                            ["line": "\(line)", "program": program.chineseName])
                    } else {
                        programs[program] = row.line
                    }
                }
            }
            // One head per household.
            if relation == "head", householdOf[indices[0]] != Self.none {
                let householdSlot = Int(householdOf[indices[0]])
                if let head = headOf[householdSlot] {
                    for index in indices {
                        flag(index, .relation, "roster.second_head", ["line": "\(head.line)", "name": head.name])
                    }
                } else {
                    headOf[householdSlot] = (first.line, first.name ?? "")
                }
            }
            // Against the hub.
            var existing = try importedRecord(key)
            var recordKey = false
            if existing == nil, first.idNumber != nil {
                // A person whose first row has an ID number is keyed by its digest: `roster|M|` and
                // the digest, made once above.
                let holders = try lookup.members(withIDHash: String(key.dropFirst(Self.keyPrefix.count + 2)))
                let holder = holders.first { $0.vitalStatus == "alive" }?.id
                if let holder {
                    if try importedByRoster(holder) {
                        existing = holder
                        recordKey = true
                    } else {
                        for index in indices {
                            flag(index, .idNumber, "roster.registered", ["id": holder.value])
                        }
                    }
                }
            }
            var memberEntry: MemberEntry?
            if let existing {
                memberEntry = try lookup.member(existing)
                let household = household(indices[0])?.existing?.value
                if let memberEntry, memberEntry.household != household {
                    let column: RosterColumn = first.idNumber == nil ? .name : .idNumber
                    for index in indices {
                        flag(
                            index, column, "roster.other_household",
                            ["id": existing.value, "household": memberEntry.household ?? "?"])
                    }
                }
            } else if relation == "head", let head = household(indices[0])?.existingHead {
                for index in indices {
                    flag(
                        index, .relation, "roster.has_head", ["number": first.householdNumber ?? "", "head": head])
                }
            }
            let person = PersonFound(
                existing: existing, recordKey: recordKey, deceased: memberEntry?.vitalStatus == "deceased",
                birthDate: memberEntry?.birthDate, grade: memberEntry?.disabilityGrade)
            if person == PersonFound() {
                foundAt.append(Self.none)
            } else {
                foundAt.append(Int32(found.count))
                found.append(person)
            }
        }

        // Enrollments: not imported before, not live already, and what `hearth enroll` requires.
        var enrollmentKeys: [Int: (key: String, imported: Bool)] = [:]
        var configuration: CountyConfiguration?
        /// Rows whose enrollment is implausible (R6): imported only with their override reason.
        var overridden: Set<Int> = []
        /// The household's type: as the hub holds it for a household imported earlier (the
        /// import does not change it), else as the roster gives it.
        func householdType(_ index: Int) throws -> String? {
            guard let household = household(index) else { return rows[index].type }
            guard let existing = household.existing else { return household.type }
            return try lookup.household(existing)?.type
        }
        for (index, row) in rows.enumerated() {
            guard let program = row.program, memberOf[index] != Self.none else { continue }
            let memberSlot = Int(memberOf[index])
            let memberKey = memberRows[memberSlot].key
            let member = person(memberSlot)
            let key = Self.keyPrefix + "E|\(memberKey)|\(program.rawValue)"
            for legacy in legacyKeys[memberKey] ?? [] {
                noteLegacy(key, Self.keyPrefix + "E|\(legacy)|\(program.rawValue)")
            }
            if try importedRecord(key) != nil {
                enrollmentKeys[index] = (key, true)
                continue
            }
            enrollmentKeys[index] = (key, false)
            if let existing = member.existing {
                if member.deceased {
                    flag(index, .program, "roster.deceased", ["id": existing.value])
                }
                if let live = try lookup.liveEnrollment(of: existing, in: program) {
                    flag(
                        index, .program, "roster.live_enrollment",
                        ["id": existing.value, "program": program.chineseName, "live": "\(live)"])
                }
            }
            // R6, as `hearth enroll` judges it: prerequisites and the ceiling, unless the row's
            // 特批理由 says why it is right.
            guard let start = row.start, let amount = row.amount else { continue }
            let groupRows = memberRows[memberSlot].rows.map { rows[$0] }
            if configuration == nil { configuration = try lookup.countyConfiguration() }
            let facts = MemberFacts(
                householdType: try householdType(index),
                birth: row.idNumber?.birthDate ?? member.birthDate,
                grade: groupRows.lazy.compactMap(\.grade).first ?? member.grade)
            let problems = Plausibility.problems(
                program: program, schedule: AmountSchedule(from: start, amount: amount), months: [start], facts: facts,
                configuration: configuration!)
            if problems.isEmpty { continue }
            overridden.insert(index)
            if row.override != nil { continue }
            for problem in problems {
                let column = header(.override)
                flag(index, problem.kind == .ceiling ? .amount : .program) { language in
                    Catalogue.text(
                        "roster.implausible", ["problem": problem.text(in: language), "column": column], in: language)
                }
            }
        }

        // A household is never created without its head: when no row of the head survives (or a
        // new household has no 户主 row at all), its other rows are skipped with it.
        for (slot, (_, indices)) in householdRows.enumerated() {
            let household = households[slot]
            guard household.existingHead == nil else { continue }
            let headPersons = Set(indices.filter { rows[$0].relation == "head" }.map { memberOf[$0] })
                .subtracting([Self.none])
            let headRows = indices.filter { rows[$0].relation == "head" || headPersons.contains(memberOf[$0]) }
            guard !headRows.contains(where: { rows[$0].problems.isEmpty }) else { continue }
            guard household.existing == nil || !headRows.isEmpty else { continue }
            let reason =
                headRows.isEmpty
                ? LocalizedText("roster.no_head", ["number": household.number, "column": header(.relation)])
                : LocalizedText("roster.head_refused", ["line": "\(rows[headRows[0]].line)"])
            for index in indices where rows[index].problems.isEmpty { flag(index, .relation, reason) }
        }

        // The plan: what the good rows create.
        var plan = RosterPlan()
        plan.rows = table.rows.count
        plan.totalRows = prepared.totalRows
        plan.filledDown = prepared.filledDown
        plan.households.reserveCapacity(households.count)
        plan.members.reserveCapacity(memberRows.count)
        plan.enrollments.reserveCapacity(enrollmentKeys.count)
        var householdIncluded = [Bool](repeating: false, count: households.count)
        var memberIncluded = [Bool](repeating: false, count: memberRows.count)
        for (index, row) in rows.enumerated() {
            guard row.problems.isEmpty else {
                plan.problems += row.problems
                plan.skipped.append(SkippedRow(row: prepared.rows[index], reason: ImportProblem.cell(row.problems)))
                continue
            }
            guard householdOf[index] != Self.none, memberOf[index] != Self.none else { continue }
            let householdSlot = Int(householdOf[index])
            let memberSlot = Int(memberOf[index])
            let household = households[householdSlot]
            let memberKey = memberRows[memberSlot].key
            let member = person(memberSlot)
            if !householdIncluded[householdSlot] {
                householdIncluded[householdSlot] = true
                plan.households.append(household)
            }
            if !memberIncluded[memberSlot] {
                memberIncluded[memberSlot] = true
                let grade = memberRows[memberSlot].rows.lazy.compactMap { rows[$0].grade }.first
                plan.members.append(
                    RosterPlan.Member(
                        key: memberKey, householdKey: household.key, line: row.line, existing: member.existing,
                        recordKey: member.recordKey, name: row.name!, idNumber: row.idNumber,
                        relation: relations[memberSlot] ?? row.relation!, grade: grade))
            }
            let enrollment = enrollmentKeys[index]
            if let enrollment, !enrollment.imported, let program = row.program, let amount = row.amount,
                let start = row.start
            {
                plan.enrollments.append(
                    RosterPlan.Enrollment(
                        key: enrollment.key, memberKey: memberKey, line: row.line, program: program, amount: amount,
                        start: start, override: overridden.contains(index) ? row.override : nil))
            } else if household.existing != nil, member.existing != nil, !member.recordKey,
                row.program == nil || enrollment?.imported == true
            {
                plan.rowsAlreadyImported += 1
            }
        }
        return plan
    }
}
