import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// The hub's audit (decisions and events together), newest first, 50 a page, searched by
    /// worker, action, record and a range of dates (China time); the county's level: a reviewer
    /// is refused, an auditor and an administrator read it.
    func auditPage(_ visit: inout Visit) async throws -> Response {
        _ = try countyAccount(visit)
        let catalogue = visit.catalogue
        let search = try AuditSearch(visit.query)
        let page = try Self.pageNumber(visit.query)
        let size = Self.pageSize
        let (lines, total) = try await ledger.audit(search.query, limit: size, offset: (page - 1) * size)
        let pages = max(1, (total + size - 1) / size)
        var data: [String: Any] = [
            "search": search.values,
            "summary": catalogue.format("audit_summary", ["total": "\(total)"]),
            "page_label": catalogue.format("page_label", ["page": "\(page)", "pages": "\(pages)"]),
            "rows": lines.map { line in
                [
                    "time": DeskFormat.time(line.atMillis), "worker": line.worker, "action": line.action,
                    "record": line.record, "field": line.field, "detail": line.detail,
                    "kind": catalogue[line.decision ? "audit_decision" : "audit_event"],
                ]
            },
        ]
        if page > 1 { data["previous"] = search.link(page: page - 1) }
        if page < pages { data["next"] = search.link(page: page + 1) }
        return render("audit", data, visit: visit)
    }
}

/// The audit search as the query gives it, checked: names and actions of printable text, dates
/// as `YYYY-MM-DD` with `from` not after `to`.
struct AuditSearch {
    var worker = ""
    var action = ""
    var record = ""
    var from = ""
    var to = ""
    var query = AuditQuery()

    init(_ fields: FormFields) throws(DeskError) {
        worker = fields.trimmed("worker") ?? ""
        action = fields.trimmed("action") ?? ""
        record = fields.trimmed("record") ?? ""
        from = fields.trimmed("from") ?? ""
        to = fields.trimmed("to") ?? ""
        for (name, value) in [("worker", worker), ("action", action), ("record", record)] {
            guard value.count <= 100,
                !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { throw DeskError.badForm("\(name): at most 100 characters, no control characters") }
        }
        query.worker = worker.isEmpty ? nil : worker
        query.action = action.isEmpty ? nil : action
        query.record = record.isEmpty ? nil : record
        if !from.isEmpty { query.fromMillis = try Self.startMillis(from, field: "from") }
        if !to.isEmpty { query.beforeMillis = try Self.startMillis(to, field: "to") + DeskFormat.dayMillis }
        if let start = query.fromMillis, let end = query.beforeMillis, start >= end {
            throw DeskError.badForm("from: a date not after to")
        }
    }

    /// The Unix milliseconds of a date's first instant in China time.
    static func startMillis(_ text: String, field: String) throws(DeskError) -> Int64 {
        guard let date = try? CivilDate.parse(text, field: field) else {
            throw DeskError.badForm("\(field): a date, YYYY-MM-DD")
        }
        return date.daysSinceEpoch * DeskFormat.dayMillis - DomainCalendar.offsetMillis
    }

    var values: [String: String] {
        ["worker": worker, "action": action, "record": record, "from": from, "to": to]
    }

    /// This search at another page.
    func link(page: Int) -> String {
        let parts = [("worker", worker), ("action", action), ("record", record), ("from", from), ("to", to)]
            .filter { !$0.1.isEmpty }.map { "\($0.0)=\(Desk.queryEscaped($0.1))" }
        return "/desk/audit?" + (parts + ["page=\(page)"]).joined(separator: "&")
    }
}
