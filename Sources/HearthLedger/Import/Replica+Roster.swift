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
                    edit: edit, source: source, author: author, keys: keys, progress: progress
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

    /// Writes the plan: households, then their members (ID number sealed, sex and birth
    /// date from it), then each household's head and population, then the enrollments,
    /// approved; every record created is remembered under its import key.
    func apply(_ plan: RosterPlan) throws -> (created: [RecordID], flagged: [RosterFlag]) {
        var created: [RecordID] = []
        var flagged: [RosterFlag] = []
        let total = plan.households.count + plan.members.count + plan.enrollments.count
        var written = 0
        func step() {
            written += 1
            progress?(RosterProgress(stage: .writing, done: written, total: total))
        }
        func remember(_ key: String, _ record: RecordID, line: Int) throws {
            try edit.remember(key, record: record, source: source, line: line)
        }
        func cause(_ line: Int) -> String { "roster import: \(source) line \(line)" }
        var householdIDs: [String: RecordID] = [:]
        var villages: [String: DivisionCode] = [:]
        for household in plan.households {
            villages[household.key] = household.village
            if let existing = household.existing {
                householdIDs[household.key] = existing
                step()
                continue
            }
            var fields: [String: FieldValue] = ["status": .text("active")]
            if let address = household.address { fields["address"] = .text(address) }
            if let type = household.type { fields["type"] = .text(type) }
            if let phone = household.phone { fields["phone"] = .text(phone.value) }
            if let card = household.bankCard { fields["bank_card"] = .sealed(keys.seal(card.value)) }
            let id = try edit.create(
                .household, village: household.village, fields: fields, cause: cause(household.line))
            try remember(household.key, id, line: household.line)
            householdIDs[household.key] = id
            created.append(id)
            step()
        }

        var memberIDs: [String: RecordID] = [:]
        var joined: [String: (count: Int, head: RecordID?)] = [:]
        for member in plan.members {
            guard let household = householdIDs[member.householdKey],
                let village = villages[member.householdKey]
            else { throw ReplicaError.database("roster plan: no household for \(member.key)") }
            if let existing = member.existing {
                memberIDs[member.key] = existing
                if member.recordKey { try remember(member.key, existing, line: member.line) }
                step()
                continue
            }
            var fields: [String: FieldValue] = [
                "household": .text(household.value), "name": .text(member.name), "relation": .text(member.relation),
                "vital_status": .text("alive"),
            ]
            if let id = member.idNumber {
                fields["id_number"] = .sealed(keys.seal(id.value))
                fields["sex"] = .text(id.sex.rawValue)
                fields["birth_date"] = .text(id.birthDate.description)
            }
            if let grade = member.grade { fields["disability_grade"] = .integer(Int64(grade)) }
            let id = try edit.create(.member, village: village, fields: fields, cause: cause(member.line))
            try remember(member.key, id, line: member.line)
            memberIDs[member.key] = id
            created.append(id)
            if member.idNumber == nil { flagged.append(RosterFlag(line: member.line, name: member.name, member: id)) }
            step()
            var entry = joined[member.householdKey] ?? (0, nil)
            entry.count += 1
            if member.relation == "head" { entry.head = id }
            joined[member.householdKey] = entry
        }

        for household in plan.households {
            guard let entry = joined[household.key], let id = householdIDs[household.key] else { continue }
            if household.existing == nil {
                var fields: [String: FieldValue] = ["population": .integer(Int64(min(99, entry.count)))]
                if let head = entry.head { fields["head"] = .text(head.value) }
                try edit.update(id, fields: fields, cause: cause(household.line))
            } else {
                if let head = entry.head, household.existingHead == nil {
                    try edit.update(id, fields: ["head": .text(head.value)], cause: cause(household.line))
                }
                // The members table still holds the count before this transaction.
                try edit.recountPopulation(id, change: entry.count)
            }
        }

        for enrollment in plan.enrollments {
            guard let member = memberIDs[enrollment.memberKey], let state = try edit.state(of: member),
                let household = ChangeSet.text(state, "household"), let villageText = ChangeSet.text(state, "village")
            else { throw ReplicaError.database("roster plan: no member for \(enrollment.key)") }
            let id = try edit.create(
                .enrollment, village: try DivisionCode.parse(villageText, field: "village"),
                fields: [
                    "member": .text(member.value), "household": .text(household),
                    "program": .text(enrollment.program.rawValue), "status": .text("approved"),
                    "decision": .text("approved"), "approver": .text(author),
                    "amount": .text(AmountSchedule(from: enrollment.start, amount: enrollment.amount).description),
                    "start_month": .text(enrollment.start.description),
                ],
                cause: enrollment.override.map { Plausibility.cause(cause(enrollment.line), override: $0) }
                    ?? cause(enrollment.line))
            try remember(enrollment.key, id, line: enrollment.line)
            created.append(id)
            step()
        }
        return (created, flagged)
    }
}
