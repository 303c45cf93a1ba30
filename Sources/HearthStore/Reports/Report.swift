import GRDB
import HearthCore

/// One line of the bureau's report: one program in one area.
public struct ReportLine: Sendable {
    /// The area's division-code prefix (county, township or village).
    public let area: String
    public let program: Program
    /// Households and persons paid in the period's last month.
    public let households: Int
    public let persons: Int
    /// Enrollments that started (新增) or ended (退出) in the period.
    public let newEntries: Int
    public let exits: Int
    /// What the period's last month pays, and the whole period.
    public let monthTotal: Money
    public let periodTotal: Money

    public init(
        area: String, program: Program, households: Int, persons: Int, newEntries: Int, exits: Int, monthTotal: Money,
        periodTotal: Money
    ) {
        self.area = area
        self.program = program
        self.households = households
        self.persons = persons
        self.newEntries = newEntries
        self.exits = exits
        self.monthTotal = monthTotal
        self.periodTotal = periodTotal
    }
}

extension Replica {
    /// The report for a period, by area level, built from the same payable set as the roll,
    /// so the two always agree.
    public func report(from start: Month, to end: Month, by level: ScopePrefix.Level, nowMillis: Int64)
        throws(ReplicaError) -> [ReportLine]
    {
        guard start <= end else { throw .invalid(InputError(field: "from", reason: "\(start) is after \(end)")) }
        func area(_ village: String) -> String {
            switch level {
            case .county: return String(village.prefix(6))
            case .township: return String(village.prefix(9))
            case .village: return village
            }
        }
        struct Key: Hashable { let area: String; let program: Program }
        var periodTotals: [Key: Int64] = [:]
        var last: Payroll?
        var month = start
        while month <= end {
            let roll = try payroll(for: month, nowMillis: nowMillis)
            for row in roll.rows {
                try Totals.add(
                    &periodTotals[Key(area: area(row.village), program: row.program), default: 0], row.amount.fen,
                    "the report's total for \(row.program.rawValue) in \(area(row.village))")
            }
            last = roll
            month = month.adding(months: 1)
        }
        var households: [Key: Set<String>] = [:]
        var persons: [Key: Set<RecordID>] = [:]
        var monthTotals: [Key: Int64] = [:]
        for row in last?.rows ?? [] where row.kind == .regular {
            let key = Key(area: area(row.village), program: row.program)
            households[key, default: []].insert(row.household)
            persons[key, default: []].insert(row.member)
            try Totals.add(
                &monthTotals[key, default: 0], row.amount.fen, "the report's month total for \(key.program.rawValue)")
        }
        var entries: [Key: Int] = [:]
        var exits: [Key: Int] = [:]
        try read { db in
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT program, village, start_month, end_month, status, decision FROM enrollments
                    WHERE village IS NOT NULL AND program IS NOT NULL
                    """)
            {
                guard let program = Program(rawValue: row["program"] as String), let village: String = row["village"] else { continue }
                let key = Key(area: area(village), program: program)
                if (row["decision"] as String?) == "approved",
                    let begun = (row["start_month"] as String?).flatMap({ try? Month.parse($0, field: "start") }),
                    begun >= start, begun <= end
                {
                    entries[key, default: 0] += 1
                }
                if (row["status"] as String?) == "exited", (row["decision"] as String?) == "approved",
                    let ended = (row["end_month"] as String?).flatMap({ try? Month.parse($0, field: "end") }), ended >= start,
                    ended <= end
                {
                    exits[key, default: 0] += 1
                }
            }
        }
        let keys = Set(periodTotals.keys).union(entries.keys).union(exits.keys).union(households.keys)
        return keys.sorted { ($0.area, Program.allCases.firstIndex(of: $0.program)!) < ($1.area, Program.allCases.firstIndex(of: $1.program)!) }
            .map { key in
                ReportLine(
                    area: key.area, program: key.program, households: households[key]?.count ?? 0,
                    persons: persons[key]?.count ?? 0, newEntries: entries[key] ?? 0, exits: exits[key] ?? 0,
                    monthTotal: Money(fen: monthTotals[key] ?? 0), periodTotal: Money(fen: periodTotals[key] ?? 0))
            }
    }
}
