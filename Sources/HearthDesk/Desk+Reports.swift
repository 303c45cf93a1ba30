import Foundation
import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// The month of a query or form (`YYYY-MM`); this month (China time) when absent.
    func month(_ fields: FormFields, visit: Visit) throws(DeskError) -> Month {
        guard let text = fields.trimmed("month") else { return DomainCalendar.date(atMillis: visit.nowMillis).month }
        do { return try Month.parse(text, field: "month") } catch { throw DeskError.badForm("month: YYYY-MM") }
    }

    /// The bureau's monthly report by township or village (``ReportTable``, as `hearth hub
    /// report` prints it). A reviewer's is their township's: its villages or its own line, and
    /// its own total, never the county's.
    func reportPage(_ visit: inout Visit) async throws -> Response {
        let (month, level, rows) = try await reportRows(visit)
        let catalogue = visit.catalogue
        let query = "month=\(month)&by=\(level.rawValue)"
        var data: [String: Any] = [
            "month": month.description, "header": ReportTable.header(end: month),
            "rows": rows.map { ["cells": $0, "total": $0.first == "合计" || $0.count > 1 && $0[1] == "小计"] },
            "levels": [ScopePrefix.Level.township, .village].map { option in
                [
                    "value": option.rawValue, "label": catalogue["report_by_\(option.rawValue)"],
                    "selected": option == level,
                ] as [String: Any]
            },
            "download": "/desk/report.csv?\(query)",
        ]
        if let township = visit.session?.account.township { data["scope"] = township.value }
        return render("report", data, visit: visit)
    }

    /// The report as CSV for Excel (UTF-8 with a BOM, Chinese headers), as `hearth hub report
    /// --format csv` writes it.
    func reportCSV(_ visit: inout Visit) async throws -> Response {
        let (month, level, rows) = try await reportRows(visit)
        return Self.download(
            SpreadsheetCSV.document([ReportTable.header(end: month)] + rows),
            name: "report-\(month)-\(level.rawValue).csv")
    }

    private func reportRows(_ visit: Visit) async throws -> (Month, ScopePrefix.Level, [[String]]) {
        let account = try visit.account
        let month = try month(visit.query, visit: visit)
        let by = visit.query.trimmed("by") ?? "township"
        guard by == "township" || by == "village", let level = ScopePrefix.Level(rawValue: by) else {
            throw DeskError.badForm("by: township or village")
        }
        let now = visit.nowMillis
        let township = account.role == .reviewer ? account.township?.value : nil
        // One snapshot: the report, the names and a reviewer's township total agree.
        let (report, names, byTownship) = try await ledger.reading { replica in
            let report = try replica.report(from: month, to: month, by: level, nowMillis: now)
            let byTownship =
                township == nil || level == .township
                ? report : try replica.report(from: month, to: month, by: .township, nowMillis: now)
            return (report, try replica.divisionNames(), byTownship)
        }
        guard let township else {
            return (month, level, ReportTable.rows(report, names: names))
        }
        let own = byTownship.areaTotals.first { $0.area == township }
        return (month, level, ReportTable.rows(report, within: township, total: own, names: names))
    }

    /// The month's roll as the bank would be given it: totals, what is left apart, and the
    /// subtotals per township and village; downloads of the disbursement and the subtotals
    /// (audited); for an administrator, the way to lock it. A roll is county-wide and holds ID
    /// and card numbers in clear: a reviewer does not see it (their township's figures are in
    /// the report).
    func rollPage(_ visit: inout Visit) async throws -> Response {
        let account = try countyAccount(visit)
        let month = try month(visit.query, visit: visit)
        let (roll, bank) = try await roll(month, visit: visit)
        var data = rollFacts(roll, bank, catalogue: visit.catalogue)
        data["subtotals"] = try bank.subtotals().map { subtotal in
            [
                "level": subtotal.level.chineseName, "area": bank.names.label(subtotal.area), "lines": subtotal.lines,
                "persons": subtotal.persons, "total": subtotal.total.yuanText,
                "without_card": subtotal.withoutCard, "recoveries": subtotal.recoveryTotal.yuanText,
            ] as [String: Any]
        }
        data["download"] = "/desk/roll.csv?month=\(month)"
        data["download_summary"] = "/desk/roll.csv?month=\(month)&file=summary"
        data["can_lock"] = account.role == .admin && !roll.locked
        data["lock_link"] = "/desk/roll/lock?month=\(month)"
        if visit.query["locked"] == "1" {
            visit.notice = visit.catalogue.format("notice_locked", ["month": "\(month)"])
        }
        return render("roll", data, visit: visit)
    }

    /// A file of the roll as CSV for Excel, recorded in the audit with the desk user's name
    /// (``HubLedger/rollDocument(_:summary:worker:nowMillis:)``): `file=summary` for the
    /// subtotals, else the disbursement with ID and card numbers in clear.
    func rollCSV(_ visit: inout Visit) async throws -> Response {
        let account = try countyAccount(visit)
        let month = try month(visit.query, visit: visit)
        let file = visit.query.trimmed("file") ?? "disbursement"
        guard file == "summary" || file == "disbursement" else {
            throw DeskError.badForm("file: disbursement or summary")
        }
        let (_, bank) = try await roll(month, visit: visit)
        let text = try await ledger.rollDocument(
            bank, summary: file == "summary", worker: account.name, nowMillis: visit.nowMillis)
        return Self.download(text, name: "roll-\(month)\(file == "summary" ? "-summary" : "").csv")
    }

    /// The confirmation before a roll is locked: the totals that will be recorded as paid.
    func lockPage(_ visit: inout Visit) async throws -> Response {
        let account = try countyAccount(visit)
        guard account.role == .admin else { throw DeskError.readOnly }
        let month = try month(visit.query, visit: visit)
        let (roll, bank) = try await roll(month, visit: visit)
        return lockView(roll, bank, visit: visit, status: .ok)
    }

    /// Locks the month's roll through ``HubLedger/lock(_:worker:nowMillis:)``, as `hearth hub
    /// payroll --lock` does, when its totals are still those the confirmation page stated;
    /// otherwise 409 and the confirmation with the totals now.
    func lockApply(_ visit: inout Visit) async throws -> Response {
        let account = try countyAccount(visit)
        guard account.role == .admin else { throw DeskError.readOnly }
        let month = try month(visit.form, visit: visit)
        guard let stated = visit.form["totals"], !stated.isEmpty, stated.count <= 200 else {
            throw DeskError.badForm("the confirmation's totals are missing: open the confirmation again")
        }
        let (roll, bank) = try await roll(month, visit: visit, settling: true)
        guard !roll.locked else {
            visit.errorMessage = visit.catalogue.format("roll_already_locked", ["month": "\(month)"])
            return lockView(roll, bank, visit: visit, status: .conflict)
        }
        guard Self.totals(roll, bank) == stated else {
            visit.errorMessage = visit.catalogue["roll_changed"]
            return lockView(roll, bank, visit: visit, status: .conflict)
        }
        do {
            try await ledger.lock(roll, worker: account.name, nowMillis: visit.nowMillis)
        } catch {
            guard case .invalid(let input) = error else { throw error }
            visit.errorMessage = visit.catalogue.format("error_settle", ["detail": input.description])
            return lockView(roll, bank, visit: visit, status: .conflict)
        }
        try await ledger.audit(
            AuditEvent(
                atMillis: visit.nowMillis, worker: account.name, action: DeskAccounts.Action.lockRoll,
                subject: "roll \(month)", field: "",
                detail: "\(bank.lines.count) lines, \(bank.total.yuanText) yuan to the bank, from \(visit.address)"))
        return Self.redirect("/desk/roll?month=\(month)&locked=1", cookies: visit.cookies)
    }

    private func lockView(_ roll: Payroll, _ bank: BankRoll, visit: Visit, status: HTTPResponse.Status) -> Response {
        var data = rollFacts(roll, bank, catalogue: visit.catalogue)
        data["totals"] = Self.totals(roll, bank)
        data["csrf"] = visit.session?.csrf ?? ""
        data["can_lock"] = !roll.locked
        return render("lock", data, visit: visit, status: status)
    }

    /// What a confirmation states and a lock must still find: lines, rows and amounts.
    static func totals(_ roll: Payroll, _ bank: BankRoll) -> String {
        [
            "\(roll.rows.count)", roll.total.yuanText, "\(bank.lines.count)", bank.total.yuanText,
            "\(bank.withoutCard.count)", bank.withoutCardTotal.yuanText, "\(bank.recoveries.count)",
            bank.recoveryTotal.yuanText,
        ].joined(separator: "|")
    }

    /// `settling`: the roll is to be locked (``HubLedger/payrollWithBankRoll(for:nowMillis:settling:)``).
    private func roll(_ month: Month, visit: Visit, settling: Bool = false) async throws -> (Payroll, BankRoll) {
        let now = visit.nowMillis
        return try await ledger.payrollWithBankRoll(for: month, nowMillis: now, settling: settling)
    }

    private func rollFacts(_ roll: Payroll, _ bank: BankRoll, catalogue: Catalogue) -> [String: Any] {
        [
            "month": roll.month.description,
            "state": catalogue[roll.locked ? "roll_locked" : "roll_open"],
            "locked": roll.locked,
            "lines": bank.lines.count, "total": bank.total.yuanText, "regular": bank.regularTotal.yuanText,
            "back_pay": bank.backPayTotal.yuanText, "without_card": bank.withoutCard.count,
            "without_card_total": bank.withoutCardTotal.yuanText, "recoveries": bank.recoveries.count,
            "recovery_total": bank.recoveryTotal.yuanText, "rows": roll.rows.count, "rows_total": roll.total.yuanText,
            "left_out": roll.leftOut.sorted { $0.key < $1.key }.map { reason, ids in
                ["reason": reason, "count": ids.count] as [String: Any]
            },
        ]
    }

    /// A CSV file to download: the browser saves it under `name`.
    static func download(_ text: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
