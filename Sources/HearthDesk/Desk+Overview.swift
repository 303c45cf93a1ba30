import HearthCore
import HearthLedger
import Hummingbird

extension Desk {
    /// The county at a glance (a reviewer: their township): nodes with their last sync, lag,
    /// clock skew and state; open conflicts by township and by age; for the county's roles also
    /// the quarantined ops, the open leads and the last locked roll.
    ///
    /// Each figure is one of the ledger's existing reads, each costing what it returns: the
    /// conflicts through the tables' indexes of records in conflict, the counts by index, the
    /// nodes and locked months from their own small tables. Nothing reads the county's records.
    func overview(_ visit: inout Visit) async throws -> Response {
        let account = try visit.account
        let catalogue = visit.catalogue
        let township = account.role == .reviewer ? account.township : nil
        let conflicts = try await ledger.conflicts(township: township?.value)
        var byTownship: [String: Int] = [:]
        var byAge = [0, 0, 0, 0]
        for conflict in conflicts {
            byTownship[String((conflict.village ?? "?").prefix(9)), default: 0] += 1
            byAge[Self.ageBucket(of: conflict, nowMillis: visit.nowMillis)] += 1
        }
        let extent = try await ledger.logExtent()
        let nodes = try await ledger.nodes().filter { node in
            township.map { node.scope.value.hasPrefix($0.value) } ?? true
        }
        var data: [String: Any] = [
            "open_conflicts": conflicts.count,
            "by_township": byTownship.sorted { $0.key < $1.key }.map { code, count in
                ["code": code, "count": count, "link": "/desk/conflicts?township=\(code)"] as [String: Any]
            },
            "by_age": AgeFilter.buckets.enumerated().map { index, bucket in
                [
                    "label": catalogue[bucket.label], "count": byAge[index],
                    "link": "/desk/conflicts?age=\(bucket.filter)",
                ] as [String: Any]
            },
            "nodes": nodes.map { node in nodeRow(node, log: extent, catalogue: catalogue) },
        ]
        if let township { data["scope"] = township.value }
        if township == nil {
            let gauges = try await ledger.storage.gauges()
            let locked = try await ledger.storage.lockedMonths()
            let today = DomainCalendar.date(atMillis: visit.nowMillis)
            let current = Month(year: today.year, month: today.monthNumber)
            let thisMonth = current.map { month in
                catalogue.format(
                    locked.contains(month) ? "roll_current_locked" : "roll_current_open",
                    ["month": month.description])
            }
            data["county"] =
                [
                    "quarantined": gauges.quarantined, "open_leads": try await ledger.storage.openLeadCount(),
                    "last_roll": locked.last?.description ?? catalogue["roll_none"], "roll_state": thisMonth ?? "",
                ] as [String: Any]
        }
        return render("overview", data, visit: visit)
    }

    private func nodeRow(_ node: NodeRecord, log: LogExtent, catalogue: Catalogue) -> [String: Any] {
        let state =
            node.revokedMillis != nil ? "node_revoked" : node.forkedMillis != nil ? "node_forked" : "node_active"
        let farOff = node.skewMillis.map { abs($0) > 300_000 } ?? false
        return [
            "name": node.name, "scope": node.scope.value,
            "last_sync": node.lastSyncMillis.map(DeskFormat.time) ?? catalogue["never"],
            "lag": log.lag(from: node.pullCursor),
            "skew": node.skewMillis.map {
                catalogue.format(farOff ? "skew_large" : "skew", ["seconds": "\($0 / 1000)"])
            }
                ?? "",
            "state": catalogue[state],
            "state_class": state == "node_active" && !farOff ? "" : "warn",
        ]
    }

    /// Which of ``AgeFilter/buckets`` a conflict falls in.
    static func ageBucket(of conflict: ConflictCase, nowMillis: Int64) -> Int {
        let age = nowMillis - conflict.arisenMillis
        return AgeFilter.buckets.firstIndex { age < $0.belowMillis } ?? AgeFilter.buckets.count - 1
    }
}

extension ConflictCase {
    /// When the conflict became what it is: its latest competing write.
    var arisenMillis: Int64 { candidates.map(\.atMillis).max() ?? 0 }
}

/// The ages the desk groups and filters conflicts by.
enum AgeFilter {
    /// The overview's groups: each below a bound, with the list filter that starts at it.
    static let buckets: [(label: String, belowMillis: Int64, filter: String)] = [
        ("age_under_1d", DeskFormat.dayMillis, ""),
        ("age_1_7d", 7 * DeskFormat.dayMillis, "1d"),
        ("age_7_30d", 30 * DeskFormat.dayMillis, "7d"),
        ("age_over_30d", Int64.max, "30d"),
    ]

    /// The list's choices: any age, or older than a day, a week, a month.
    static let choices: [(value: String, label: String, olderThanMillis: Int64)] = [
        ("", "age_any", 0),
        ("1d", "age_older_1d", DeskFormat.dayMillis),
        ("7d", "age_older_7d", 7 * DeskFormat.dayMillis),
        ("30d", "age_older_30d", 30 * DeskFormat.dayMillis),
    ]
}
