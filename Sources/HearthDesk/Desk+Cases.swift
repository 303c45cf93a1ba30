import Foundation
import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// The rules whose cases the desk shows side by side, with their catalogue keys.
    static let caseRules = ["R5", "R6", "R2a"]

    /// Open rule cases (R5 duplicate persons, R6 exclusive programs, R2a exits against
    /// approvals, and the others the hub keeps), filtered by rule, 50 a page; a reviewer's are
    /// their township's.
    func caseList(_ visit: inout Visit) async throws -> Response {
        let account = try visit.account
        let catalogue = visit.catalogue
        let rule = visit.query.trimmed("rule")
        if let rule, rule.count > 8 || RuleID(rawValue: rule) == nil {
            throw DeskError.badForm("rule: not a rule id")
        }
        let page = try Self.pageNumber(visit.query)
        let size = Self.pageSize
        let (cases, total) = try await ledger.ruleCases(
            rule: rule, within: account.township?.value, limit: size, offset: (page - 1) * size,
            nowMillis: visit.nowMillis)
        let pages = max(1, (total + size - 1) / size)
        var data: [String: Any] = [
            "rules": Self.caseRules.map { id in
                ["id": id, "title": catalogue["case_rule_\(id)"], "selected": id == rule] as [String: Any]
            },
            "rows": cases.map { found in
                [
                    "id": found.id, "link": "/desk/case?id=\(Self.queryEscaped(found.id))", "rule": found.rule,
                    "kind": found.kind, "village": found.village ?? "", "detail": found.detail,
                    "records": found.records.count, "holds": found.holds.count,
                ] as [String: Any]
            },
            "summary": catalogue.format("cases_summary", ["total": "\(total)"]),
            "page_label": catalogue.format("page_label", ["page": "\(page)", "pages": "\(pages)"]),
        ]
        let base = "/desk/cases?" + (rule.map { "rule=\($0)&" } ?? "")
        if page > 1 { data["previous"] = base + "page=\(page - 1)" }
        if page < pages { data["next"] = base + "page=\(page + 1)" }
        if let done = visit.query.trimmed("done"), ["ack", "exit"].contains(done), let id = visit.query.trimmed("case")
        {
            visit.notice = catalogue.format("notice_case_\(done)", ["id": id])
        }
        return render("cases", data, visit: visit)
    }

    /// One rule case: its records side by side, field by field (sealed values masked), the
    /// payments it holds, and the actions the CLI offers: review it (`hearth hub conflicts ack`)
    /// or end one of its enrollments (`hearth exit E --db hub.db`).
    func casePage(_ visit: inout Visit) async throws -> Response {
        let account = try visit.account
        guard let id = visit.query.trimmed("id"), id.count <= 200 else { throw DeskError.notFound }
        let now = visit.nowMillis
        guard let found = try await ledger.reading({ try $0.ruleCase(id, nowMillis: now) }),
            account.township.map({ (found.village ?? "").hasPrefix($0.value) }) ?? true
        else { throw DeskError.notFound }
        return try await caseView(found, visit: visit, status: .ok)
    }

    /// Acknowledges a case with a note, or ends one of its enrollments with a reason and a last month.
    func caseAction(_ visit: inout Visit) async throws -> Response {
        let account = try visit.account
        guard account.role.writes else { throw DeskError.readOnly }
        let form = visit.form
        guard let id = form.trimmed("id"), id.count <= 200 else { throw DeskError.badForm("the case is missing") }
        let now = visit.nowMillis
        guard let found = try await ledger.reading({ try $0.ruleCase(id, nowMillis: now) }),
            account.township.map({ (found.village ?? "").hasPrefix($0.value) }) ?? true
        else { throw DeskError.notFound }
        guard let note = form.trimmed("note"), note.count <= 500 else {
            throw DeskError.badForm("say why (it is kept with the decision)")
        }
        let action = form["action"] ?? ""
        do {
            switch action {
            case "ack":
                try await ledger.acknowledgeCase(id, note: note, author: account.name, nowMillis: visit.nowMillis)
                try await ledger.audit(
                    AuditEvent(
                        atMillis: visit.nowMillis, worker: account.name, action: DeskAccounts.Action.acknowledgeCase,
                        subject: id, field: found.rule, detail: "from \(visit.address)"))
            case "exit":
                guard let text = form.trimmed("enrollment"), let enrollment = RecordID(text) else {
                    throw DeskError.badForm("enrollment: choose one of the case's enrollments")
                }
                guard let end = form.trimmed("end") else { throw DeskError.badForm("end: the last month, YYYY-MM") }
                try await ledger.exitForCase(
                    id, enrollment: enrollment, reason: note, end: end, within: account.township,
                    audit: AuditEvent(
                        atMillis: visit.nowMillis, worker: account.name, action: DeskAccounts.Action.exitForCase,
                        subject: enrollment.value, field: id, detail: "end \(end), from \(visit.address)"),
                    nowMillis: visit.nowMillis)
            default: throw DeskError.badForm("action: ack or exit")
            }
        } catch let error as ReplicaError {
            guard case .invalid(let input) = error else { throw error }
            visit.errorMessage = visit.catalogue.format("error_settle", ["detail": input.description])
            return try await caseView(found, visit: visit, status: .badRequest)
        }
        return Self.redirect("/desk/cases?done=\(action)&case=\(Self.queryEscaped(id))", cookies: visit.cookies)
    }

    private func caseView(_ found: RuleCase, visit: Visit, status: HTTPResponse.Status) async throws -> Response {
        let catalogue = visit.catalogue
        let keys = ledger.keys
        let records = found.records
        let states = try await ledger.reading { replica in try records.map { id in (id, try replica.state(of: id)) } }
        // The records side by side: one row per field any of them has, one column per record.
        var columns: [[String: Any]] = []
        var rows: [[String: Any]] = []
        let types = Set(found.records.map(\.type))
        for type in RecordType.allCases where types.contains(type) {
            for spec in RecordSchema.fields(of: type) {
                let values: [String] = states.map { id, state in
                    guard id.type == type, let state else { return "" }
                    return keys.display(state.resolution(of: spec.name).value, spec: spec, reveal: false)
                }
                guard values.contains(where: { !$0.isEmpty }) else { continue }
                let differ = Set(values.filter { !$0.isEmpty }).count > 1
                rows.append(["field": spec.name, "values": values, "differ": differ])
            }
        }
        for (id, _) in states { columns.append(["id": id.value]) }
        let enrollments = (found.records + found.holds).filter { $0.type == .enrollment }
        let data: [String: Any] = [
            "id": found.id, "rule": found.rule, "rule_title": catalogue["case_rule_\(found.rule)"],
            "kind": found.kind, "village": found.village ?? "", "detail": found.detail,
            "columns": columns, "rows": rows,
            "holds": found.holds.map(\.value).joined(separator: ", "),
            "can_act": visit.session?.account.role.writes ?? false,
            "enrollments": Array(Set(enrollments)).sorted().map { ["id": $0.value] },
            "has_enrollments": !enrollments.isEmpty,
            "csrf": visit.session?.csrf ?? "",
        ]
        return render("case", data, visit: visit, status: status)
    }

    /// A value put in a query string: every byte but letters, digits and `-._~` escaped.
    static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? text
    }
}
