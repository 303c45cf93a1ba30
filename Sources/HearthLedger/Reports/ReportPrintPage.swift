import HearthCore
import HearthStore

/// The bureau's report as a page to print and sign (``PrintPage``): each village's program lines
/// and its 小计, each township's 小计 after its villages, and the 合计, with the figures of
/// `hearth hub report` (a household or person counted once in a total however many programs pay
/// them: the townships' 小计 come from the report by township, not from adding villages).
public enum ReportPrintPage {
    /// The headers; the period's last month names the month's amount column.
    static func headers(end: Month) -> [String] {
        ["地区", "救助项目", "户数", "人数", "新增", "退出", "\(PrintPage.chinese(end))金额(元)", "期间金额(元)"]
    }

    /// The page for a period, from the report by village and the report by township of the same
    /// period; `place` names the replica (the county's name on the hub).
    public static func html(
        byVillage: Report, byTownship: Report, from start: Month, to end: Month, place: String, scope: String,
        names: DivisionNames
    ) -> String {
        var table = PrintPage.head(headers(end: end))
        func figures(_ line: ReportLine) -> String {
            PrintPage.cell("\(line.households)", "num", field: "households")
                + PrintPage.cell("\(line.persons)", "num", field: "persons")
                + PrintPage.cell("\(line.newEntries)", "num", field: "new_entries")
                + PrintPage.cell("\(line.exits)", "num", field: "exits")
                + PrintPage.cell(line.monthTotal.yuanText, "num", field: "month_total")
                + PrintPage.cell(line.periodTotal.yuanText, "num", field: "period_total")
        }
        for township in byTownship.areaTotals {
            table +=
                "<tr class=\"group\">"
                + PrintPage.cell("乡镇(街道)：\(names.label(township.area))", span: 8) + "</tr>\n"
            for village in byVillage.areaTotals where village.area.hasPrefix(township.area) {
                for line in byVillage.lines where line.area == village.area {
                    table +=
                        "<tr>" + PrintPage.cell(names.label(line.area))
                        + PrintPage.cell(line.program?.chineseName ?? "")
                        + figures(line) + "</tr>\n"
                }
                table +=
                    "<tr class=\"subtotal\" data-level=\"village\" data-area=\"\(PrintPage.escape(village.area))\">"
                    + PrintPage.cell("村(社区)小计　\(names.label(village.area))", span: 2) + figures(village) + "</tr>\n"
            }
            table +=
                "<tr class=\"subtotal\" data-level=\"township\" data-area=\"\(PrintPage.escape(township.area))\">"
                + PrintPage.cell("乡镇(街道)小计　\(names.label(township.area))", span: 2) + figures(township)
                + "</tr>\n"
        }
        table += "<tr class=\"total\">" + PrintPage.cell("合计", span: 2) + figures(byVillage.total) + "</tr>\n"
        table += PrintPage.tail
        let period = start == end ? PrintPage.chinese(end) : "\(PrintPage.chinese(start))至\(PrintPage.chinese(end))"
        let facts = ["填报单位：\(names.label(scope))", "统计期间：\(period)", "单位：户、人、元"]
        let notes = ["合计与小计中的户数、人数按户、按人各计一次（同一户或同一人享受多个项目不重复计算）；金额为各项目之和。"]
        return PrintPage.document(
            title: "\(place) \(period) 社会救助情况统计表", facts: facts, table: table, notes: notes)
    }
}
