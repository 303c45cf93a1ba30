import HearthCore
import HearthStore

/// The month's roll as a page to print and sign (``PrintPage``): the disbursement's lines as the
/// CSV roll has them (ID and card numbers in clear: they are what the bank checks), grouped by
/// township and village with a 小计 after each village and each township and the 合计 at the
/// end, the same figures as the CSV roll's subtotals (``BankRoll/subtotals()``). What the bank
/// is not given (no card, recovery) is counted in the notes, never in the 合计.
public enum RollPrintPage {
    static let headers = [
        "序号", "户编号", "领款人姓名", "领款人身份证号", "户名", "一卡通账号", "救助项目", "享受人数", "正常发放(元)", "补发(元)", "合计(元)",
    ]

    /// The title: `宜城市 2026年11月 城乡低保资金发放花名册` when every line is 低保, else
    /// `… 社会救助资金发放花名册`.
    public static func title(_ roll: BankRoll) -> String {
        let dibao =
            !roll.lines.isEmpty && roll.lines.allSatisfy { $0.program == .dibaoRural || $0.program == .dibaoUrban }
        return "\(roll.countyName) \(PrintPage.chinese(roll.month)) \(dibao ? "城乡低保资金发放花名册" : "社会救助资金发放花名册")"
    }

    /// The page as HTML.
    public static func html(_ roll: BankRoll) throws(ReplicaError) -> String {
        let names = roll.names
        let subtotals = try roll.subtotals()
        let byArea = Dictionary(
            subtotals.filter { $0.level != .county }.map { ($0.area, $0) }, uniquingKeysWith: { first, _ in first })
        var table = PrintPage.head(headers)
        var number = 0
        var township: String?
        var village: String?
        func subtotalRow(_ subtotal: BankRoll.Subtotal?, _ area: String, _ level: BankRoll.Subtotal.Level) -> String {
            let label = "\(level == .village ? "村(社区)" : "乡镇(街道)")小计　\(names.label(area))"
            return "<tr class=\"subtotal\" data-level=\"\(level.rawValue)\" data-area=\"\(PrintPage.escape(area))\">"
                + PrintPage.cell("\(label)　\(subtotal?.lines ?? 0) 笔", span: 7)
                + PrintPage.cell("\(subtotal?.persons ?? 0)", "num", field: "persons")
                + PrintPage.cell(subtotal?.regular.yuanText ?? "0.00", "num", field: "regular")
                + PrintPage.cell(subtotal?.backPay.yuanText ?? "0.00", "num", field: "back_pay")
                + PrintPage.cell(subtotal?.total.yuanText ?? "0.00", "num", field: "total") + "</tr>\n"
        }
        for line in roll.lines {
            if line.village != village {
                if let village { table += subtotalRow(byArea[village], village, .village) }
                if line.township != township {
                    if let township { table += subtotalRow(byArea[township], township, .township) }
                    township = line.township
                }
                village = line.village
                table +=
                    "<tr class=\"group\">"
                    + PrintPage.cell(
                        "乡镇(街道)：\(names.label(line.township))　村(社区)：\(names.label(line.village))",
                        span: headers.count) + "</tr>\n"
            }
            number += 1
            table +=
                "<tr>" + PrintPage.cell("\(number)", "num") + PrintPage.cell(line.household)
                + PrintPage.cell(line.payeeName) + PrintPage.cell(line.payeeIDNumber, "digits")
                + PrintPage.cell(line.accountName) + PrintPage.cell(line.bankCard, "digits")
                + PrintPage.cell(line.program.chineseName) + PrintPage.cell("\(line.members.count)", "num")
                + PrintPage.cell(line.regular.yuanText, "num") + PrintPage.cell(line.backPay.yuanText, "num")
                + PrintPage.cell(line.total.yuanText, "num") + "</tr>\n"
        }
        if let village { table += subtotalRow(byArea[village], village, .village) }
        if let township { table += subtotalRow(byArea[township], township, .township) }
        let persons = roll.lines.reduce(0) { $0 + $1.members.count }
        table +=
            "<tr class=\"total\">" + PrintPage.cell("合计　\(roll.lines.count) 笔", span: 7)
            + PrintPage.cell("\(persons)", "num", field: "persons")
            + PrintPage.cell(roll.regularTotal.yuanText, "num", field: "regular")
            + PrintPage.cell(roll.backPayTotal.yuanText, "num", field: "back_pay")
            + PrintPage.cell(roll.total.yuanText, "num", field: "total") + "</tr>\n"
        table += PrintPage.tail
        let facts = [
            "县(市、区)：\(names.label(roll.county))", "发放月份：\(roll.month)",
            "状态：\(roll.locked ? "已锁定(按已发放)" : "未锁定")", "单位：元",
        ]
        let notes = [
            "本册 \(roll.lines.count) 笔，享受人数 \(persons) 人，发放合计 \(roll.total.yuanText) 元"
                + "（正常发放 \(roll.regularTotal.yuanText) 元，补发 \(roll.backPayTotal.yuanText) 元）。",
            "另列，不计入本册合计：无银行卡或户名未发放 \(roll.withoutCard.count) 笔 \(roll.withoutCardTotal.yuanText) 元；"
                + "追缴 \(roll.recoveries.count) 笔 \(roll.recoveryTotal.yuanText) 元，由乡镇追回。",
        ]
        return PrintPage.document(title: title(roll), facts: facts, table: table, notes: notes)
    }
}
