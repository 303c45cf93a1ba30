import GRDB
import HearthCore

/// One line of the bureau's report: one program in one area, or every program in one area
/// (a total line).
public struct ReportLine: Sendable {
    /// The area's division-code prefix (county, township or village).
    public let area: String
    /// The program; nil on a total line, whose households and persons are each counted once
    /// however many programs pay them (a household on dibao whose grandmother draws the
    /// elderly allowance is one household), while its money adds up across programs.
    public let program: Program?
    /// Households and persons paid in the period's last month.
    public let households: Int
    public let persons: Int
    /// Enrollments that started (新增) or ended (退出) in the period; on a total line, the sum
    /// over programs (a person entering two programs is two entries).
    public let newEntries: Int
    public let exits: Int
    /// What the period's last month pays, and the whole period.
    public let monthTotal: Money
    public let periodTotal: Money

    public init(
        area: String, program: Program?, households: Int, persons: Int, newEntries: Int, exits: Int, monthTotal: Money,
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

/// The bureau's report for a period: a line per program and area, a total per area and a
/// grand total. Totals are built from distinct households and persons, not by adding the
/// program lines, so a household in two programs is counted once (the 合计 row a bureau
/// files must not count people twice); money totals are sums.
public struct Report: Sendable {
    /// One line per area and program, by area then program.
    public let lines: [ReportLine]
    /// One total line per area (program nil), in area order.
    public let areaTotals: [ReportLine]
    /// The whole replica's scope (program nil; area is the scope).
    public let total: ReportLine
}

extension ReplicaCore {
    /// The report for a period, by area level, built from the same payable set as the roll,
    /// so the two always agree.
    public func report(from start: Month, to end: Month, by level: ScopePrefix.Level, nowMillis: Int64)
        throws(ReplicaError) -> Report
    {
        guard start <= end else { throw .invalid(InputError(field: "from", reason: "\(start) is after \(end)")) }
        func area(_ village: String) -> String {
            switch level {
            case .county: return String(village.prefix(6))
            case .township: return String(village.prefix(9))
            case .village: return village
            }
        }
        /// One area's program (a program line) or all its programs (program nil: its total);
        /// area nil with program nil is the grand total.
        struct Key: Hashable { let area: String?; let program: Program? }
        func keys(_ area: String, _ program: Program) -> [Key] {
            [Key(area: area, program: program), Key(area: area, program: nil), Key(area: nil, program: nil)]
        }
        var periodTotals: [Key: Int64] = [:]
        var last: Payroll?
        var month = start
        // One book for every month not yet locked: read once, not once per month.
        var book: RollBook?
        while month <= end {
            let roll: Payroll
            if let locked = try lockedRoll(month) {
                roll = locked
            } else {
                if book == nil { book = try rollBook(before: end.adding(months: 1), nowMillis: nowMillis) }
                roll = try self.roll(for: month, book: book!, openingCards: false)
            }
            // Each line's fields read in place: a line is never copied whole.
            for index in roll.rows.indices {
                let village = area(roll.rows[index].village)
                let program = roll.rows[index].program
                for key in keys(village, program) {
                    try Totals.add(
                        &periodTotals[key, default: 0], roll.rows[index].amount.fen,
                        "the report's total for \(program.rawValue) in \(village)")
                }
            }
            last = roll
            month = month.adding(months: 1)
        }
        var households: [Key: Set<String>] = [:]
        var persons: [Key: Set<RecordID>] = [:]
        var monthTotals: [Key: Int64] = [:]
        let rows = last?.rows ?? []
        for index in rows.indices where rows[index].kind == .regular {
            let program = rows[index].program
            for key in keys(area(rows[index].village), program) {
                households[key, default: []].insert(rows[index].household)
                persons[key, default: []].insert(rows[index].member)
                try Totals.add(
                    &monthTotals[key, default: 0], rows[index].amount.fen,
                    "the report's month total for \(program.rawValue)")
            }
        }
        var entries: [Key: Int] = [:]
        var exits: [Key: Int] = [:]
        try read { db in
            var months = TextCache { try? Month.parse($0, field: "month") }
            let rows = try Row.fetchCursor(db, sql: Self.reportEnrollmentsSQL)
            while let row = try rows.next() {
                guard let program = Program(rawValue: row[0] as String), let village: String = row[1] else { continue }
                guard (row[5] as String?) == "approved" else { continue }
                if let begun = months[row[2]], begun >= start, begun <= end {
                    for key in keys(area(village), program) { entries[key, default: 0] += 1 }
                }
                if (row[4] as String?) == "exited", let ended = months[row[3]], ended >= start, ended <= end {
                    for key in keys(area(village), program) { exits[key, default: 0] += 1 }
                }
            }
        }
        func line(_ key: Key) -> ReportLine {
            ReportLine(
                area: key.area ?? info.scope.value, program: key.program, households: households[key]?.count ?? 0,
                persons: persons[key]?.count ?? 0, newEntries: entries[key] ?? 0, exits: exits[key] ?? 0,
                monthTotal: Money(fen: monthTotals[key] ?? 0), periodTotal: Money(fen: periodTotals[key] ?? 0))
        }
        let all = Set(periodTotals.keys).union(entries.keys).union(exits.keys).union(households.keys)
        func order(_ program: Program?) -> Int { program.flatMap { Program.allCases.firstIndex(of: $0) } ?? -1 }
        let programKeys = all.filter { $0.program != nil }
            .sorted { ($0.area ?? "", order($0.program)) < ($1.area ?? "", order($1.program)) }
        let areaKeys = all.filter { $0.program == nil && $0.area != nil }.sorted { ($0.area ?? "") < ($1.area ?? "") }
        return Report(
            lines: programKeys.map(line), areaTotals: areaKeys.map(line), total: line(Key(area: nil, program: nil)))
    }

    /// The report's new entries and exits: one pass over the enrollments.
    package static let reportEnrollmentsSQL = """
        SELECT program, village, start_month, end_month, status, decision FROM enrollments
        WHERE village IS NOT NULL AND program IS NOT NULL
        """
}
