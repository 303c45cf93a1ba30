import HearthCore
import HearthLedger
import Hummingbird

extension Desk {
    /// Conflicts a page holds.
    static let pageSize = 50

    /// The open conflicts, filtered (township, village, rule, kind, age) and paged, oldest
    /// first, with the count of all that match. A reviewer's list is their township's, by each
    /// record's current village at the hub, whatever the query says.
    func conflictList(_ visit: inout Visit) async throws -> Response {
        let account = try visit.account
        let catalogue = visit.catalogue
        let filter = try ConflictFilter(visit.query, account: account)
        let matching: [ConflictCase]
        if let prefix = filter.prefix {
            matching = try await ledger.conflicts(
                township: prefix.isEmpty ? nil : prefix, kind: filter.kind.isEmpty ? nil : filter.kind,
                rule: filter.rule.isEmpty ? nil : filter.rule
            )
            .filter { visit.nowMillis - $0.arisenMillis >= filter.olderThanMillis }
            .sorted { ($0.arisenMillis, $0.id) < ($1.arisenMillis, $1.id) }
        } else {
            matching = []
        }
        let pages = max(1, (matching.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(filter.page, pages)
        let shown = matching.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize)
        let from = (page - 1) * Self.pageSize + 1
        var data: [String: Any] = [
            "filter": [
                "township": filter.township, "village": filter.village, "kind": filter.kind,
            ],
            "fixed_township": account.role == .reviewer,
            "rules": ConflictFilter.rules.map { id, title in
                ["id": id, "title": catalogue[title], "selected": id == filter.rule] as [String: Any]
            },
            "ages": AgeFilter.choices.map { choice in
                ["value": choice.value, "label": catalogue[choice.label], "selected": choice.value == filter.age]
                    as [String: Any]
            },
            "rows": shown.map { conflict in row(conflict, catalogue: catalogue, nowMillis: visit.nowMillis) },
            "summary": matching.isEmpty
                ? catalogue["conflicts_summary_empty"]
                : catalogue.format(
                    "conflicts_summary",
                    ["total": "\(matching.count)", "from": "\(from)", "to": "\(from + shown.count - 1)"]),
            "page_label": catalogue.format("page_label", ["page": "\(page)", "pages": "\(pages)"]),
        ]
        if page > 1 { data["previous"] = filter.link(page: page - 1) }
        if page < pages { data["next"] = filter.link(page: page + 1) }
        data["bulk_link"] = filter.bulkLink
        if let count = visit.query.trimmed("bulk"), let number = Int(count), number >= 0 {
            visit.notice = catalogue.format("notice_bulk", ["count": "\(number)"])
        }
        if let done = visit.query.trimmed("resolved"), let op = visit.query.trimmed("op") {
            visit.notice = catalogue.format("notice_resolved", ["id": done, "op": op])
        }
        return render("conflicts", data, visit: visit)
    }

    private func row(_ conflict: ConflictCase, catalogue: Catalogue, nowMillis: Int64) -> [String: Any] {
        let rule = catalogue.rule(title: conflict.rule.title, reason: conflict.rule.reason)
        return [
            "id": conflict.id, "link": "/desk/conflicts/\(conflict.id)", "village": conflict.village ?? "",
            "rule": "\(conflict.rule.id) \(rule.title)", "kind": conflict.field, "values": conflict.candidates.count,
            "age": catalogue.format(
                "age_days", ["days": "\(max(0, nowMillis - conflict.arisenMillis) / DeskFormat.dayMillis)"]),
            "state": catalogue[conflict.open ? "state_open" : "state_soft"],
        ]
    }
}

/// The conflict list's filters as the query gives them, checked: digits for places, a known
/// rule, a field or record type name, one of the ages, a page number.
struct ConflictFilter {
    var township = ""
    var village = ""
    var rule = ""
    var kind = ""
    var age = ""
    var page = 1
    /// The reviewer's township, which bounds every list they see.
    var bound: String?

    /// The rules an open conflict can come under, with the catalogue key of their titles.
    static let rules: [(id: String, title: String)] = [
        ("R1", "rule_date_of_death"), ("R4b", "rule_money_and_eligibility_field"), ("R4c", "rule_identity_field"),
        ("R7", "rule_approval_authority"), ("R8", "rule_household_structure"),
    ]

    init(_ query: FormFields, account: DeskAccount) throws(DeskError) {
        township = query.trimmed("township") ?? ""
        village = query.trimmed("village") ?? ""
        rule = query.trimmed("rule") ?? ""
        kind = query.trimmed("kind") ?? ""
        age = query.trimmed("age") ?? ""
        guard township.count <= 9, township.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DeskError.badForm("township: digits, at most 9")
        }
        guard village.count <= 12, village.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DeskError.badForm("village: digits, at most 12")
        }
        guard rule.isEmpty || RuleID(rawValue: rule) != nil else { throw DeskError.badForm("rule: not a rule id") }
        guard kind.count <= 32, kind.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "_") }) else {
            throw DeskError.badForm("kind: a field name or a record type")
        }
        guard AgeFilter.choices.contains(where: { $0.value == age }) else {
            throw DeskError.badForm("age: one of 1d, 7d, 30d")
        }
        if let text = query.trimmed("page") {
            guard let number = Int(text), number >= 1, number <= 1_000_000 else {
                throw DeskError.badForm("page: a whole number from 1")
            }
            page = number
        }
        if account.role == .reviewer, let own = account.township {
            bound = own.value
            township = own.value
        }
    }

    /// The village prefix the ledger filters by: the village, else the township, else the
    /// county (""); nil when the filters name a place outside the reviewer's township.
    var prefix: String? {
        let place = village.isEmpty ? township : village
        guard let bound else { return place }
        return place.hasPrefix(bound) ? place : nil
    }

    var olderThanMillis: Int64 { AgeFilter.choices.first { $0.value == age }?.olderThanMillis ?? 0 }

    /// The bulk resolution of what this list shows, previewed with the county's value.
    var bulkLink: String {
        link(page: 1).replacingOccurrences(of: "/desk/conflicts?", with: "/desk/bulk?")
            .replacingOccurrences(of: "&page=1", with: "&choice=county")
            .replacingOccurrences(of: "?page=1", with: "?choice=county")
    }

    /// This list at another page.
    func link(page: Int) -> String {
        var parts: [String] = []
        for (name, value) in [
            ("township", township), ("village", village), ("rule", rule), ("kind", kind), ("age", age),
        ]
        where !value.isEmpty {
            parts.append("\(name)=\(value)")
        }
        parts.append("page=\(page)")
        return "/desk/conflicts?" + parts.joined(separator: "&")
    }
}
