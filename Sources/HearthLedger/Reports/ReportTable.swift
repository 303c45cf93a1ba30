import HearthCore
import HearthStore

/// The bureau's report as a table with Chinese headers: what `hearth hub report` prints and
/// writes as CSV, and what the desk shows and downloads, from one builder so the two never differ.
///
/// Each area's program lines, then (when there are several areas) its 小计, then the 合计: the
/// totals count a household or person once however many programs pay them.
public enum ReportTable {
    /// The header row; the period's last month names the month's amount column.
    public static func header(end: Month) -> [String] {
        ["地区", "救助项目", "户数", "人数", "新增", "退出", "\(end) 金额(元)", "期间金额(元)"]
    }

    /// The rows of a report. With `within` (a township's code), only the areas inside it, and
    /// `total` (that township's own total line, from a report by township) as the 合计. Each
    /// area shows its registered name beside its code (`names`; the code alone without one).
    public static func rows(
        _ report: Report, within: String? = nil, total: ReportLine? = nil, names: DivisionNames = DivisionNames()
    ) -> [[String]] {
        let areas = report.areaTotals.filter { area in within.map { area.area.hasPrefix($0) } ?? true }
        var rows: [[String]] = []
        for area in areas {
            let lines = report.lines.filter { $0.area == area.area }
            let label = names.label(area.area)
            rows += lines.map { [label, $0.program?.chineseName ?? ""] + figures($0) }
            if areas.count > 1 { rows.append([label, "小计"] + figures(area)) }
        }
        if let grand = within == nil ? report.total : total {
            rows.append(["合计", ""] + figures(grand))
        }
        return rows
    }

    static func figures(_ line: ReportLine) -> [String] {
        [
            "\(line.households)", "\(line.persons)", "\(line.newEntries)", "\(line.exits)",
            line.monthTotal.yuanText, line.periodTotal.yuanText,
        ]
    }
}
