import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// Quarantined ops a page holds.
    static let quarantinePageSize = 50

    /// The account of a county-level page: an administrator or an auditor. A reviewer's role
    /// covers one township, and the quarantine, leads, rolls and audit are the county's.
    func countyAccount(_ visit: Visit) throws -> DeskAccount {
        let account = try visit.account
        guard account.role != .reviewer else { throw DeskError.countyOnly }
        return account
    }

    /// The ops the hub refused, oldest first, a page at a time: each with its record, author,
    /// time, reason and the ops waiting for it; for an administrator, a form to release or
    /// discard it with a reason (as `hearth hub quarantine release|discard`). `all=1` also lists
    /// the released and discarded ones.
    func quarantinePage(_ visit: inout Visit) async throws -> Response {
        let account = try countyAccount(visit)
        let catalogue = visit.catalogue
        let all = visit.query["all"] == "1"
        let page = try Self.pageNumber(visit.query)
        let size = Self.quarantinePageSize
        let (entries, total) = try await ledger.quarantine(
            includeSettled: all, limit: size, offset: (page - 1) * size)
        let pages = max(1, (total + size - 1) / size)
        let from = (page - 1) * size + 1
        var data: [String: Any] = [
            "all": all,
            "summary": entries.isEmpty
                ? catalogue.format("quarantine_summary_empty", ["total": "\(total)"])
                : catalogue.format(
                    "conflicts_summary", ["total": "\(total)", "from": "\(from)", "to": "\(from + entries.count - 1)"]),
            "page_label": catalogue.format("page_label", ["page": "\(page)", "pages": "\(pages)"]),
            "rows": entries.map { entry in
                [
                    "dot": entry.dot.description, "record": entry.record?.value ?? "?",
                    "author": entry.author, "time": DeskFormat.time(entry.atMillis), "reason": entry.reason,
                    "state": catalogue["quarantine_state_\(entry.state)"],
                    "held": entry.state == "held" && account.role.writes,
                    "waiting": entry.dependents.map(\.description).joined(separator: ", "),
                    "action": "/desk/quarantine/\(entry.dot.description)",
                    "csrf": visit.session?.csrf ?? "",
                ] as [String: Any]
            },
        ]
        let base = all ? "/desk/quarantine?all=1&" : "/desk/quarantine?"
        if page > 1 { data["previous"] = base + "page=\(page - 1)" }
        if page < pages { data["next"] = base + "page=\(page + 1)" }
        if let done = visit.query.trimmed("done"), let op = visit.query.trimmed("op"),
            ["release", "discard"].contains(done)
        {
            visit.notice = catalogue.format("notice_quarantine_\(done)", ["op": op])
        }
        return render("quarantine", data, visit: visit)
    }

    /// Releases or discards one held op with a reason, through the ledger's own settlement
    /// (``HubLedger/releaseQuarantined(_:author:nowMillis:note:)``,
    /// ``HubLedger/discardQuarantined(_:author:nowMillis:note:)``), audited with the desk user's
    /// name and the reason in the settling transaction. A refusal (an op already settled, one
    /// that cannot be released) shows the ledger's reason.
    func settleQuarantined(_ visit: inout Visit, dot text: String) async throws -> Response {
        let account = try countyAccount(visit)
        guard account.role.writes else { throw DeskError.readOnly }
        guard text.count <= 40, let dot = Dot(text: text) else { throw DeskError.notFound }
        let action = visit.form["action"] ?? ""
        guard action == "release" || action == "discard" else {
            throw DeskError.badForm("action: release or discard")
        }
        guard let note = visit.form.trimmed("note"), note.count <= 500 else {
            throw DeskError.badForm("say why (the reason is kept in the audit)")
        }
        let why = "\(note) (desk, from \(visit.address))"
        do {
            if action == "release" {
                try await ledger.releaseQuarantined(dot, author: account.name, nowMillis: visit.nowMillis, note: why)
            } else {
                _ = try await ledger.discardQuarantined(
                    dot, author: account.name, nowMillis: visit.nowMillis, note: why)
            }
        } catch {
            guard case .invalid(let input) = error else { throw error }
            visit.errorMessage = visit.catalogue.format("error_settle", ["detail": input.description])
            var shown = visit
            shown.query = FormFields()
            let page = try await quarantinePage(&shown)
            return Response(status: .badRequest, headers: page.headers, body: page.body)
        }
        return Self.redirect("/desk/quarantine?done=\(action)&op=\(dot.description)", cookies: visit.cookies)
    }

    /// `page` of a query: a whole number from 1 (1 when absent).
    static func pageNumber(_ query: FormFields) throws(DeskError) -> Int {
        guard let text = query.trimmed("page") else { return 1 }
        guard let number = Int(text), number >= 1, number <= 1_000_000 else {
            throw DeskError.badForm("page: a whole number from 1")
        }
        return number
    }
}
