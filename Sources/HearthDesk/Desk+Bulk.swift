import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// Bulk resolution, step one: the list's filters and a choice (the county's value, or the
    /// latest write) give a preview of exactly which conflicts change and to what
    /// (``HubLedger/bulkPlan(_:choice:nowMillis:)``); nothing is written. The apply form carries
    /// the preview's digest and each row's fingerprint.
    func bulkPage(_ visit: inout Visit) async throws -> Response {
        let account = try visit.account
        let filter = try ConflictFilter(visit.query, account: account)
        let choice = try Self.bulkChoice(visit.query, required: false)
        var data = bulkForm(filter, choice: choice, visit: visit)
        if let choice {
            let plan = try await plan(filter, choice: choice, visit: visit)
            data.merge(preview(plan, filter: filter, visit: visit)) { _, new in new }
        }
        return render("bulk", data, visit: visit)
    }

    /// Bulk resolution, step two: plans again inside the writing transaction and writes only
    /// when that plan is the one previewed (its digest); otherwise 409 with the new preview and
    /// the rows that changed (``HubLedger/bulkResolve(_:choice:digest:note:author:nowMillis:audit:)``).
    func bulkApply(_ visit: inout Visit) async throws -> Response {
        let account = try visit.account
        guard account.role.writes else { throw DeskError.readOnly }
        let form = visit.form
        let filter = try ConflictFilter(form, account: account)
        guard let choice = try Self.bulkChoice(form, required: true) else { throw DeskError.badForm("choice") }
        guard let digest = form["digest"], digest.count == 64, digest.allSatisfy({ $0.isHexDigit }) else {
            throw DeskError.badForm("the preview's digest is missing: preview again")
        }
        let seen = try Self.fingerprints(form["rows"] ?? "")
        let note = form.trimmed("note") ?? ""
        guard let place = filter.prefix else { throw DeskError.notFound }
        let bulkFilter = BulkFilter(
            place: place.isEmpty ? nil : place, kind: filter.kind.isEmpty ? nil : filter.kind,
            rule: filter.rule.isEmpty ? nil : filter.rule, olderThanMillis: filter.olderThanMillis)
        let audit = AuditEvent(
            atMillis: visit.nowMillis, worker: account.name, action: DeskAccounts.Action.bulkResolve,
            subject: place.isEmpty ? "county" : place, field: "\(seen.count) conflicts",
            detail: "\(choice.rawValue), filters \(filter.description), from \(visit.address)")
        let outcome: BulkOutcome
        do {
            outcome = try await ledger.bulkResolve(
                bulkFilter, choice: choice, digest: digest, note: note, author: account.name,
                nowMillis: visit.nowMillis, audit: audit)
        } catch {
            switch error {
            case .invalid(let input) where input.field == "digest":
                let plan = try await plan(filter, choice: choice, visit: visit)
                var data = bulkForm(filter, choice: choice, visit: visit)
                data.merge(preview(plan, filter: filter, visit: visit)) { _, new in new }
                data["changes"] = ["lines": changes(from: seen, to: plan, catalogue: visit.catalogue)]
                return render("bulk", data, visit: visit, status: .conflict)
            case .invalid(let input):
                visit.errorMessage = visit.catalogue.format("error_resolve", ["detail": input.description])
                let plan = try await plan(filter, choice: choice, visit: visit)
                var data = bulkForm(filter, choice: choice, visit: visit)
                data.merge(preview(plan, filter: filter, visit: visit)) { _, new in new }
                return render("bulk", data, visit: visit, status: .badRequest)
            default: throw error
            }
        }
        return Self.redirect("/desk/conflicts?bulk=\(outcome.ops.count)", cookies: visit.cookies)
    }

    /// The plan for a role: none when the filters name a place outside a reviewer's township.
    private func plan(_ filter: ConflictFilter, choice: BulkChoice, visit: Visit) async throws -> BulkPlan? {
        guard let place = filter.prefix else { return nil }
        return try await ledger.bulkPlan(
            BulkFilter(
                place: place.isEmpty ? nil : place, kind: filter.kind.isEmpty ? nil : filter.kind,
                rule: filter.rule.isEmpty ? nil : filter.rule, olderThanMillis: filter.olderThanMillis),
            choice: choice, nowMillis: visit.nowMillis)
    }

    /// The filter form's values.
    private func bulkForm(_ filter: ConflictFilter, choice: BulkChoice?, visit: Visit) -> [String: Any] {
        let catalogue = visit.catalogue
        return [
            "filter": ["township": filter.township, "village": filter.village, "kind": filter.kind],
            "fixed_township": filter.bound != nil,
            "rules": ConflictFilter.rules.map { id, title in
                ["id": id, "title": catalogue[title], "selected": id == filter.rule] as [String: Any]
            },
            "ages": AgeFilter.choices.map { age in
                ["value": age.value, "label": catalogue[age.label], "selected": age.value == filter.age]
                    as [String: Any]
            },
            "choices": BulkChoice.allCases.map { option in
                [
                    "value": option.rawValue, "label": catalogue["bulk_choice_\(option.rawValue)"],
                    "selected": option == choice,
                ] as [String: Any]
            },
        ]
    }

    /// The preview's values: the rows, what is left open, and the apply form's hidden fields.
    private func preview(_ plan: BulkPlan?, filter: ConflictFilter, visit: Visit) -> [String: Any] {
        let catalogue = visit.catalogue
        guard let plan else { return ["preview": ["rows": [Any]()] as [String: Any]] }
        var preview: [String: Any] = [
            "choice_label": catalogue["bulk_choice_\(plan.choice.rawValue)"],
            "choice": plan.choice.rawValue,
            "summary": catalogue.format(
                "bulk_summary",
                ["count": "\(plan.rows.count)", "skipped": "\(plan.skipped.count)", "more": "\(plan.more)"]),
            "rows": plan.rows.map { row in
                [
                    "id": row.id, "link": "/desk/conflicts/\(row.id)", "village": row.village ?? "",
                    "rule": row.ruleID, "field": row.field, "shown": row.shown, "chosen": row.chosen,
                    "competing": row.competing,
                ] as [String: Any]
            },
            "skipped": plan.skipped.map { skip in
                ["id": skip.id, "link": "/desk/conflicts/\(skip.id)", "reason": catalogue["bulk_skip_no_county"]]
            },
            "has_skipped": !plan.skipped.isEmpty,
            "can_apply": (visit.session?.account.role.writes ?? false) && !plan.rows.isEmpty,
            "digest": plan.digest,
            "fingerprints": plan.rows.map { "\($0.id)=\($0.fingerprint)" }.joined(separator: ","),
            "csrf": visit.session?.csrf ?? "",
            "hidden": filter.hiddenFields,
        ]
        if plan.more > 0 { preview["more"] = catalogue.format("bulk_more", ["more": "\(plan.more)"]) }
        return ["preview": preview]
    }

    /// The rows of a stale preview against the plan now: which were added, which left, which
    /// changed (their competing values or the value chosen).
    private func changes(from seen: [String: String], to plan: BulkPlan?, catalogue: Catalogue) -> [String] {
        let now = Dictionary((plan?.rows ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for row in plan?.rows ?? [] {
            if let before = seen[row.id] {
                if before != row.fingerprint {
                    lines.append(catalogue.format("bulk_changed_row", ["id": row.id, "value": row.chosen]))
                }
            } else {
                lines.append(catalogue.format("bulk_changed_added", ["id": row.id, "value": row.chosen]))
            }
        }
        for id in seen.keys.sorted() where now[id] == nil {
            lines.append(catalogue.format("bulk_changed_gone", ["id": id]))
        }
        if lines.isEmpty { lines.append(catalogue["bulk_changed_other"]) }
        return lines + [catalogue["bulk_changed_hint"]]
    }

    /// The bulk choice of a query or form: `county` or `newest`.
    static func bulkChoice(_ fields: FormFields, required: Bool) throws(DeskError) -> BulkChoice? {
        guard let text = fields.trimmed("choice") else {
            if required { throw DeskError.badForm("choose the county's value or the latest write") }
            return nil
        }
        guard let choice = BulkChoice(rawValue: text) else {
            throw DeskError.badForm("choice: county or newest")
        }
        return choice
    }

    /// The preview's rows as the form carries them: `record/field=fingerprint`, comma-separated.
    static func fingerprints(_ text: String) throws(DeskError) -> [String: String] {
        var rows: [String: String] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].count <= 80, parts[1].count == 12,
                parts[1].allSatisfy({ $0.isHexDigit })
            else { throw DeskError.badForm("the preview's rows cannot be read: preview again") }
            rows[String(parts[0])] = String(parts[1])
        }
        guard rows.count <= BulkPlan.limit else { throw DeskError.badForm("too many rows: preview again") }
        return rows
    }
}

extension ConflictFilter {
    /// The filters as hidden fields of the apply form, so the apply plans over the same ones.
    var hiddenFields: [[String: String]] {
        [("township", township), ("village", village), ("rule", rule), ("kind", kind), ("age", age)]
            .map { ["name": $0.0, "value": $0.1] }
    }

    /// The filters for the audit line.
    var description: String {
        let parts = [("township", township), ("village", village), ("rule", rule), ("kind", kind), ("age", age)]
            .filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}
