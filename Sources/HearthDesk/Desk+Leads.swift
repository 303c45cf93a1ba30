import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// The statuses a lead list is filtered by.
    static let leadStatuses = ["open", "confirmed", "refuted", "conflict"]

    /// Problem leads (问题线索) from the county's cross-checks, by status, 50 a page (read by
    /// index); for an administrator, each open one's confirmation or refutation with a note, as
    /// `hearth lead confirm|refute` on the hub. The county's level: a reviewer is refused, an
    /// auditor reads.
    func leadList(_ visit: inout Visit) async throws -> Response {
        let account = try countyAccount(visit)
        let catalogue = visit.catalogue
        let status = visit.query.trimmed("status") ?? "open"
        guard status == "all" || Self.leadStatuses.contains(status) else {
            throw DeskError.badForm("status: open, confirmed, refuted, conflict or all")
        }
        let page = try Self.pageNumber(visit.query)
        let size = Self.pageSize
        let (entries, total) = try await ledger.reading { replica in
            try replica.leads(status: status == "all" ? nil : status, limit: size, offset: (page - 1) * size)
        }
        let pages = max(1, (total + size - 1) / size)
        var data: [String: Any] = [
            "statuses": (Self.leadStatuses + ["all"]).map { option in
                ["value": option, "label": catalogue["lead_status_\(option)"], "selected": option == status]
                    as [String: Any]
            },
            "summary": catalogue.format("leads_summary", ["total": "\(total)"]),
            "page_label": catalogue.format("page_label", ["page": "\(page)", "pages": "\(pages)"]),
            "rows": entries.map { lead in
                [
                    "id": lead.id.value, "member": lead.member?.value ?? "", "name": lead.name ?? "",
                    "village": lead.village, "source": lead.source, "detail": lead.detail,
                    "date": lead.reportedDate ?? "", "status": lead.status, "note": lead.note ?? "",
                    "verifier": lead.verifier ?? "",
                    "suspended": lead.suspended.map(\.value).joined(separator: ", "),
                    "can_decide": account.role == .admin && lead.status == "open",
                    "csrf": visit.session?.csrf ?? "",
                ] as [String: Any]
            },
        ]
        let base = "/desk/leads?status=\(status)&"
        if page > 1 { data["previous"] = base + "page=\(page - 1)" }
        if page < pages { data["next"] = base + "page=\(page + 1)" }
        if let done = visit.query.trimmed("done"), ["confirm", "refute"].contains(done),
            let id = visit.query.trimmed("lead")
        {
            visit.notice = catalogue.format("notice_lead_\(done)", ["id": id])
        }
        return render("leads", data, visit: visit)
    }

    /// Confirms or refutes one lead with a note (and, to confirm a death, the date when the
    /// list gave a wrong one) through ``HubLedger/decideLead(_:confirm:note:date:author:nowMillis:audit:)``;
    /// administrators only. The decision carries the desk user's name as its verifier, and the
    /// desk's audit line is written with it.
    func decideLead(_ visit: inout Visit) async throws -> Response {
        let account = try countyAccount(visit)
        guard account.role == .admin else { throw DeskError.readOnly }
        let form = visit.form
        guard let text = form.trimmed("lead"), let lead = RecordID(text), lead.type == .lead else {
            throw DeskError.badForm("the lead is missing")
        }
        let action = form["action"] ?? ""
        guard action == "confirm" || action == "refute" else { throw DeskError.badForm("action: confirm or refute") }
        guard let note = form.trimmed("note") else { throw DeskError.badForm("say how it was verified") }
        let date = action == "confirm" ? form.trimmed("date") : nil
        do {
            _ = try await ledger.decideLead(
                lead.value, confirm: action == "confirm", note: note, date: date, author: account.name,
                nowMillis: visit.nowMillis,
                audit: AuditEvent(
                    atMillis: visit.nowMillis, worker: account.name, action: DeskAccounts.Action.decideLead,
                    subject: lead.value, field: action, detail: "from \(visit.address)"))
        } catch {
            switch error {
            case .invalid(let input):
                visit.errorMessage = visit.catalogue.format("error_settle", ["detail": input.description])
            case .unknownRecord: throw DeskError.notFound
            default: throw error
            }
            var shown = visit
            shown.query = FormFields()
            let page = try await leadList(&shown)
            return Response(status: .badRequest, headers: page.headers, body: page.body)
        }
        return Self.redirect("/desk/leads?done=\(action)&lead=\(lead.value)", cookies: visit.cookies)
    }
}
