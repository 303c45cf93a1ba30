import Foundation
import HearthCore
import HearthStore

/// The lists other departments send the bureau for cross-checking (信息比对).
public enum CrosscheckSource: String, Sendable, CaseIterable {
    /// Cremation records and household-register cancellations: the person has died.
    case death
    /// Pension payments: income the household's means test must count.
    case pension
    /// Vehicle ownership: assets the means test must count.
    case vehicle
    case other

    public var chineseName: String {
        switch self {
        case .death: return "死亡(火化/户籍注销)"
        case .pension: return "养老金"
        case .vehicle: return "车辆"
        case .other: return "其他"
        }
    }
}

/// One row of a cross-check list: an ID number and what the list said about the person.
public struct CrosscheckRow: Sendable {
    /// The row's line in the file (the header is line 1).
    public let line: Int
    public let idNumber: String
    /// The date the list gives (the date of death on a death list), as written; nil if none.
    public let date: String?
    /// Everything else the row says, for the verifier ("姓名: 王秀英; 火化日期: …"); never the ID number.
    public let detail: String

    public init(line: Int, idNumber: String, date: String?, detail: String) {
        self.line = line
        self.idNumber = idNumber
        self.date = date
        self.detail = detail
    }
}

/// What a cross-check import did, or would do (a dry run, or a refused file).
public struct CrosscheckOutcome: Sendable {
    public var rows = 0
    /// Rows whose ID number matched a member of the county.
    public var matched = 0
    /// Rows that matched nobody (most of any department's list).
    public var unmatched = 0
    /// Leads made by this import (ids are known only once written).
    public var leads: [RecordID] = []
    /// Leads this import would make (equals `leads.count` once written).
    public var newLeads = 0
    /// Rows already turned into leads by an earlier import of the same list.
    public var alreadyImported = 0
    /// Death-list matches for members already recorded as deceased: nothing to do.
    public var alreadyDeceased = 0
    /// Enrollments suspended at once by death leads, pending verification.
    public var suspended: [RecordID] = []
    public var problems: [ImportProblem] = []
    /// Lines left out because they were bad (`--skip-invalid`).
    public var skippedLines: [Int] = []
    /// True when nothing was written: a dry run, or a file refused for its bad rows.
    public var wroteNothing = true
}

extension HubLedger {
    /// Matches another department's list against the county's members on ID number (by the
    /// keyed hash, never in clear) and turns each match into a lead (问题线索) for the owning
    /// township. A death match suspends the member's approved enrollments at once, pending
    /// verification; a rule case holds any other enrollment of theirs meanwhile.
    ///
    /// Every bad row is reported; nothing is written when there is one, unless `skipInvalid`.
    /// A row already turned into a lead (same list, member and date) is not made again, so
    /// importing the same file twice changes nothing.
    public func importCrosscheck(
        source: CrosscheckSource, rows: [CrosscheckRow], dryRun: Bool, skipInvalid: Bool, author: String,
        nowMillis: Int64
    ) async throws(ReplicaError) -> CrosscheckOutcome {
        let today = DomainCalendar.date(atMillis: nowMillis)
        var outcome = CrosscheckOutcome()
        outcome.rows = rows.count
        struct Planned {
            let row: CrosscheckRow
            let digest: String
            let date: CivilDate?
        }
        var planned: [Planned] = []
        for row in rows {
            do throws(InputError) {
                let id = try IDNumber(parsing: row.idNumber, field: "身份证号", today: today)
                var date: CivilDate?
                if let text = row.date, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                    let day = try SpreadsheetDate.parse(text, field: source == .death ? "死亡日期" : "日期")
                    guard day <= today else {
                        throw InputError(field: source == .death ? "死亡日期" : "日期", "input.future")
                    }
                    date = day
                }
                planned.append(Planned(row: row, digest: keys.digest(id.value), date: date))
            } catch {
                outcome.problems.append(ImportProblem(line: row.line, field: error.field, error))
                outcome.skippedLines.append(row.line)
            }
        }
        if !outcome.problems.isEmpty && !skipInvalid { return outcome }
        let write = !dryRun
        let start = outcome
        let plans = planned
        let suspendedFrom = today.month.description
        let result = try await storage.edit(author: author, nowMillis: nowMillis) { edit -> CrosscheckOutcome in
            var outcome = start
            for plan in plans {
                let members = try edit.members(withIDHash: plan.digest)
                guard !members.isEmpty else {
                    outcome.unmatched += 1
                    continue
                }
                outcome.matched += 1
                for member in members {
                    guard let village = member.village else { continue }
                    let memberID = member.id
                    if source == .death, member.vitalStatus == "deceased" {
                        outcome.alreadyDeceased += 1
                        continue
                    }
                    let key = "crosscheck|\(source.rawValue)|\(memberID.value)|\(plan.date?.description ?? "")"
                    if try edit.imported(key) {
                        outcome.alreadyImported += 1
                        continue
                    }
                    outcome.newLeads += 1
                    guard write else { continue }
                    let toSuspend = source == .death ? try edit.approvedEnrollments(of: memberID) : []
                    var fields: [String: FieldValue] = [
                        "member": .text(memberID.value), "source": .text(source.rawValue), "status": .text("open"),
                        "detail": .text(String(plan.row.detail.prefix(500))),
                    ]
                    if let household = member.household { fields["household"] = .text(household) }
                    if let date = plan.date { fields["reported_date"] = .text(date.description) }
                    if !toSuspend.isEmpty { fields["suspended"] = FieldValue.makeSet(toSuspend.map(\.value)) }
                    let lead = try edit.create(
                        .lead, village: village, fields: fields,
                        cause: "cross-check against the \(source.rawValue) list, line \(plan.row.line)")
                    for enrollment in toSuspend {
                        try edit.update(
                            enrollment,
                            fields: ["status": .text("suspended"), "suspended_from": .text(suspendedFrom)],
                            cause: "death reported by a cross-check (lead \(lead)): suspended pending verification")
                    }
                    outcome.suspended += toSuspend
                    outcome.leads.append(lead)
                    try edit.remember(key, record: lead, source: "crosscheck:\(source.rawValue)", line: plan.row.line)
                }
            }
            outcome.wroteNothing = !write || outcome.leads.isEmpty
            return outcome
        }.result
        return result
    }
}

/// Dates as spreadsheets carry them: `2026-10-03`, `2026/10/3`, `2026年10月3日`, `20261003`.
public enum SpreadsheetDate {
    public static func parse(_ raw: String, field: String) throws(InputError) -> CivilDate {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var parts: [Int] = []
        if text.count == 8, let number = Int(text) {
            parts = [number / 10_000, number / 100 % 100, number % 100]
        } else {
            let separators = CharacterSet(charactersIn: "-/.年月日")
            let pieces = text.components(separatedBy: separators).filter { !$0.isEmpty }
            parts = pieces.compactMap { Int($0) }
            if parts.count != pieces.count { parts = [] }
        }
        guard parts.count == 3, let date = CivilDate(year: parts[0], month: parts[1], day: parts[2]) else {
            throw InputError(field: field, "input.not_a_date")
        }
        return date
    }
}
