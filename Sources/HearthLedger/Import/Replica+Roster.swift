import Foundation
import HearthCore
import HearthStore
import HearthText
import Synchronization

extension HubLedger {
    /// Loads a county roster (花名册, see ``RosterColumn``) into the hub as ordinary ops, so it
    /// replicates like any change made by hand.
    ///
    /// One unit of work of the hub's storage (``LedgerStorage/edit(author:nowMillis:_:)``): the
    /// plan read and every good row's household, member and enrollment written, or nothing. When
    /// a row is bad nothing is imported, unless `skipInvalid`: then the good rows are, and
    /// the bad ones are written beside the file (``SpreadsheetTable/writeSkipped(_:)``) for
    /// fixing and importing again. Each record is remembered in `import_keys` by the
    /// county's own key (village and household number; the person's ID number, or name in
    /// the household; person and program), so importing the same file again changes
    /// nothing, and a file with more rows adds only what is new. Imported enrollments are
    /// the county's own decisions: approved, with `author` as the approver.
    ///
    /// A dry run plans in a read and changes nothing, not even the skipped-rows file.
    ///
    /// `progress`, when given, is told how far the check and the write have got.
    public func importRoster(
        file path: String, dryRun: Bool = false, skipInvalid: Bool = false, author: String, nowMillis: Int64,
        progress: RosterProgressReport? = nil
    ) async throws(RosterImportError) -> RosterImportReport {
        let table: SpreadsheetTable
        do { table = try SpreadsheetTable.read(path: path) } catch { throw .spreadsheet(error) }
        return try await importRoster(
            table, dryRun: dryRun, skipInvalid: skipInvalid, author: author, nowMillis: nowMillis,
            progress: progress)
    }

    /// Imports a roster already read (see ``importRoster(file:dryRun:skipInvalid:author:nowMillis:)``).
    public func importRoster(
        _ table: SpreadsheetTable, dryRun: Bool = false, skipInvalid: Bool = false, author: String, nowMillis: Int64,
        progress: RosterProgressReport? = nil
    ) async throws(RosterImportError) -> RosterImportReport {
        try await importRoster(
            table, dryRun: dryRun, skipInvalid: skipInvalid, author: author, nowMillis: nowMillis, progress: progress,
            recordsPerPart: RosterWriter.recordsPerPart)
    }

    /// Imports a roster already read, settling about `recordsPerPart` records at a time
    /// (``RosterWriter/recordsPerPart``; the tests make parts of a few records).
    func importRoster(
        _ table: SpreadsheetTable, dryRun: Bool, skipInvalid: Bool, author: String, nowMillis: Int64,
        progress: RosterProgressReport?, recordsPerPart: Int
    ) async throws(RosterImportError) -> RosterImportReport {
        let planner = RosterPlanner(
            table: table, columns: try RosterColumn.resolve(table), keys: keys, scope: info.scope,
            today: DomainCalendar.date(atMillis: nowMillis), progress: progress)
        if dryRun {
            let plan: RosterPlan
            do throws(ReplicaError) {
                plan = try await storage.reading { lookup in try planner.plan(lookup) }
            } catch { throw .replica(error) }
            let refused = !plan.problems.isEmpty && !skipInvalid
            return RosterImportReport(
                table: table, plan: plan, dryRun: true, refused: refused, skipInvalid: skipInvalid)
        }
        let skippedFile = SkippedFileWritten()
        let keys = self.keys
        do throws(ReplicaError) {
            // Planned and written in one unit of work: the plan cannot go stale before it is written.
            return try await storage.edit(author: author, nowMillis: nowMillis) { edit in
                let plan = try planner.plan(edit)
                guard plan.problems.isEmpty || skipInvalid else {
                    return RosterImportReport(
                        table: table, plan: plan, dryRun: false, refused: true, skipInvalid: false)
                }
                let source = (table.file as NSString).lastPathComponent
                let (created, flagged) = try RosterWriter(
                    edit: edit, source: source, author: author, keys: keys, progress: progress,
                    recordsPerPart: recordsPerPart
                ).apply(plan)
                var written: String?
                if !plan.skipped.isEmpty {
                    do throws(SpreadsheetError) {
                        written = try table.writeSkipped(plan.skipped)
                        skippedFile.path.withLock { $0 = written }
                    } catch {
                        throw ReplicaError.refused(
                            Catalogue.text("roster.skipped_unwritten", ["error": error.description]))
                    }
                    // The skipped rows are the file's own, ID and card numbers in clear: audited,
                    // in the import's transaction.
                    try edit.audit(
                        AuditEvent(
                            atMillis: nowMillis, worker: author, action: AuditEvent.Action.export,
                            subject: written ?? "", field: "skipped rows",
                            detail: "\(plan.skipped.count) rows of \(source) skipped by the roster import"))
                }
                return RosterImportReport(
                    table: table, plan: plan, dryRun: false, refused: false, skipInvalid: true, created: created,
                    flagged: flagged, skippedFile: written)
            }.result
        } catch {
            // The transaction rolled back: a skipped-rows file written for it would mislead.
            if let path = skippedFile.path.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
            throw .replica(error)
        }
    }
}

/// The skipped-rows file an import's transaction wrote, so that the file is removed when the
/// transaction rolls back after the body returned (the county's rules, the commit).
private final class SkippedFileWritten: Sendable {
    let path = Mutex<String?>(nil)
}

/// Writes a roster plan through the import's unit of work (``CountyEditing``).
struct RosterWriter {
    let edit: any CountyEditing
    let source: String
    let author: String
    let keys: KeyMaterial
    /// Told after each record is written.
    var progress: RosterProgressReport?
    /// About how many records are written before the import settles them
    /// (``CountyEditing/settle()``), always between two households.
    var recordsPerPart = RosterWriter.recordsPerPart

    /// Records a part holds: a push's batch of ops is a few thousand, and a part is judged as
    /// one. A whole county's roster (about 360,000 rows) held 3 GB written as one part, 1.07 GB in parts.
    static let recordsPerPart = 5_000

    /// Writes the plan a household at a time: the household, its members (ID number sealed,
    /// sex and birth date from it), its head and population, then its members' enrollments,
    /// approved; every record created is remembered under its import key.
    ///
    /// A household's records are written together, so each part the import settles holds
    /// whole households: nothing a part writes reads back a record an earlier part wrote, and
    /// no part leaves a household without the members the file gives it.
    func apply(_ plan: RosterPlan) throws -> (created: [RecordID], flagged: [RosterFlag]) {
        var created: [RecordID] = []
        var flagged: [RosterFlag] = []
        let total = plan.households.count + plan.members.count + plan.enrollments.count
        var written = 0
        var sinceSettled = 0
        func step() {
            written += 1
            sinceSettled += 1
            progress?(RosterProgress(stage: .writing, done: written, total: total))
        }
        func remember(_ key: String, _ record: RecordID, line: Int) throws {
            try edit.remember(key, record: record, source: source, line: line)
        }
        func cause(_ line: Int) -> String { "roster import: \(source) line \(line)" }
        // Each household's members and each member's enrollments, in the plan's order.
        var membersOf: [String: [Int]] = [:]
        for index in plan.members.indices { membersOf[plan.members[index].householdKey, default: []].append(index) }
        var enrollmentsOf: [String: [Int]] = [:]
        for index in plan.enrollments.indices {
            enrollmentsOf[plan.enrollments[index].memberKey, default: []].append(index)
        }
        for household in plan.households {
            if sinceSettled >= recordsPerPart {
                try edit.settle()
                sinceSettled = 0
            }
            let householdID: RecordID
            if let existing = household.existing {
                householdID = existing
            } else {
                var fields: [String: FieldValue] = ["status": .text("active")]
                if let address = household.address { fields["address"] = .text(address) }
                if let type = household.type { fields["type"] = .text(type) }
                if let phone = household.phone { fields["phone"] = .text(phone.value) }
                if let card = household.bankCard { fields["bank_card"] = .sealed(keys.seal(card.value)) }
                householdID = try edit.create(
                    .household, village: household.village, fields: fields, cause: cause(household.line))
                try remember(household.key, householdID, line: household.line)
                created.append(householdID)
            }
            step()

            var memberIDs: [(key: String, id: RecordID)] = []
            var joined = 0
            var head: RecordID?
            for index in membersOf.removeValue(forKey: household.key) ?? [] {
                let member = plan.members[index]
                if let existing = member.existing {
                    memberIDs.append((member.key, existing))
                    if member.recordKey { try remember(member.key, existing, line: member.line) }
                    step()
                    continue
                }
                var fields: [String: FieldValue] = [
                    "household": .text(householdID.value), "name": .text(member.name),
                    "relation": .text(member.relation), "vital_status": .text("alive"),
                ]
                if let id = member.idNumber {
                    fields["id_number"] = .sealed(keys.seal(id.value))
                    fields["sex"] = .text(id.sex.rawValue)
                    fields["birth_date"] = .text(id.birthDate.description)
                }
                if let grade = member.grade { fields["disability_grade"] = .integer(Int64(grade)) }
                let id = try edit.create(.member, village: household.village, fields: fields, cause: cause(member.line))
                try remember(member.key, id, line: member.line)
                memberIDs.append((member.key, id))
                created.append(id)
                if member.idNumber == nil {
                    flagged.append(RosterFlag(line: member.line, name: member.name, member: id))
                }
                step()
                joined += 1
                if member.relation == "head" { head = id }
            }

            if joined > 0 {
                if household.existing == nil {
                    var fields: [String: FieldValue] = ["population": .integer(Int64(min(99, joined)))]
                    if let head { fields["head"] = .text(head.value) }
                    try edit.update(householdID, fields: fields, cause: cause(household.line))
                } else {
                    if let head, household.existingHead == nil {
                        try edit.update(householdID, fields: ["head": .text(head.value)], cause: cause(household.line))
                    }
                    // The members table still holds the count before this household's members:
                    // they are settled with it, in the same part.
                    try edit.recountPopulation(householdID, change: joined)
                }
            }

            for (memberKey, member) in memberIDs {
                for index in enrollmentsOf.removeValue(forKey: memberKey) ?? [] {
                    let enrollment = plan.enrollments[index]
                    guard let state = try edit.state(of: member),
                        let householdText = ChangeSet.text(state, "household"),
                        let villageText = ChangeSet.text(state, "village")
                    else { throw ReplicaError.database("roster plan: no member for \(enrollment.key)") }
                    let id = try edit.create(
                        .enrollment, village: try DivisionCode.parse(villageText, field: "village"),
                        fields: [
                            "member": .text(member.value), "household": .text(householdText),
                            "program": .text(enrollment.program.rawValue), "status": .text("approved"),
                            "decision": .text("approved"), "approver": .text(author),
                            "amount": .text(
                                AmountSchedule(from: enrollment.start, amount: enrollment.amount).description),
                            "start_month": .text(enrollment.start.description),
                        ],
                        cause: enrollment.override.map { Plausibility.cause(cause(enrollment.line), override: $0) }
                            ?? cause(enrollment.line))
                    try remember(enrollment.key, id, line: enrollment.line)
                    created.append(id)
                    step()
                }
            }
        }
        if let member = membersOf.values.first?.first.map({ plan.members[$0] }) {
            throw ReplicaError.database("roster plan: no household for \(member.key)")
        }
        if let enrollment = enrollmentsOf.values.first?.first.map({ plan.enrollments[$0] }) {
            throw ReplicaError.database("roster plan: no member for \(enrollment.key)")
        }
        return (created, flagged)
    }
}
