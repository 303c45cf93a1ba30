import HearthCore
import HearthStore

/// `report --format json` and `hub report --format json`: the bureau's report for a period,
/// per area and program, with each area's totals and the county's.
struct ReportDocument: Codable, Sendable, Equatable {
    /// One line of figures: an area's program, an area's total, or the total.
    struct Line: Codable, Sendable, Equatable {
        let area: String
        /// The area's registered name (`hub division set`); null when none is registered.
        @Nullable var areaName: String?
        /// The program's code and Chinese name; absent on a total line.
        let program: String?
        let programName: String?
        let households: Int64
        let persons: Int64
        let newEntries: Int64
        let exits: Int64
        /// Paid for the period's last month, in fen.
        let monthTotalFen: Int64
        /// Paid for the whole period, in fen.
        let periodTotalFen: Int64

        enum CodingKeys: String, CodingKey {
            case area
            case areaName = "area_name"
            case program
            case programName = "program_name"
            case households, persons
            case newEntries = "new_entries"
            case exits
            case monthTotalFen = "month_total_fen"
            case periodTotalFen = "period_total_fen"
        }

        init(_ line: ReportLine, names: DivisionNames) {
            area = line.area
            areaName = names.name(of: line.area)
            program = line.program?.rawValue
            programName = line.program?.chineseName
            households = Int64(line.households)
            persons = Int64(line.persons)
            newEntries = Int64(line.newEntries)
            exits = Int64(line.exits)
            monthTotalFen = line.monthTotal.fen
            periodTotalFen = line.periodTotal.fen
        }
    }

    let from: String
    let to: String
    /// county, township or village.
    let by: String
    let lines: [Line]
    let areaTotals: [Line]
    let total: Line

    enum CodingKeys: String, CodingKey {
        case from, to, by, lines
        case areaTotals = "area_totals"
        case total
    }
}
