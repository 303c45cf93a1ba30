import Foundation

/// A roster's rows as the county's files really come, made ready for ``RosterRow``.
///
/// Two things people do to a roster in Excel, undone here: 合计, 小计 and 总计 rows (sums
/// typed under each village or at the end) are left out and listed, and household cells a
/// merged cell left blank on a household's later rows are filled from the row above: a blank
/// 区划代码 takes the one above, and a blank 户号 the one above when the row is in the same
/// village. The file's own cells are filled too, so a skipped-rows file imports by itself.
struct RosterPreparation {
    /// The rows to check, total rows left out, blanks filled.
    var rows: [SpreadsheetRow] = []
    /// The lines of the 合计, 小计 and 总计 rows left out.
    var totalRows: [Int] = []
    /// The lines whose 区划代码 or 户号 was taken from the row above.
    var filledDown: [Int] = []

    /// The words of a total row.
    static let totalWords = ["合计", "小计", "总计"]

    init(_ table: SpreadsheetTable, columns: [RosterColumn: String]) {
        let name = columns[.name]
        // The columns a total row's label is in: the roster's own, and a 序号 column.
        let running = Set(["序号", "no.", "seq"].map(SpreadsheetTable.normalizedHeader))
        let labelled = Set(columns.values).union(
            table.headers.filter { running.contains(SpreadsheetTable.normalizedHeader($0)) })
        let index = Dictionary(
            table.headerValues.enumerated().map { (SpreadsheetTable.clean($0.element), $0.offset) },
            uniquingKeysWith: { first, _ in first })
        var above: SpreadsheetRow?
        for row in table.rows {
            if Self.isTotal(row, labelled: labelled, name: name, id: columns[.idNumber]) {
                totalRows.append(row.line)
                above = nil  // a household does not continue past a 小计
                continue
            }
            var prepared = row
            var filled = false
            func fill(_ header: String?) {
                guard let header, prepared[header].isEmpty, let value = above?[header], !value.isEmpty else { return }
                prepared = prepared.filling(header, with: value, column: index[header])
                filled = true
            }
            if let above, let name, !row[name].isEmpty {
                fill(columns[.village])
                if let village = columns[.village], prepared[village] == above[village] { fill(columns[.household]) }
            }
            if filled { filledDown.append(row.line) }
            rows.append(prepared)
            above = prepared
        }
    }

    /// A row of sums: a cell of the roster's columns (or 序号) that begins or ends with 合计,
    /// 小计 or 总计 (`合 计`, `新庄村小计`, `合计：`), or a 姓名 that is one of them, and no ID
    /// number in it.
    static func isTotal(_ row: SpreadsheetRow, labelled: Set<String>, name: String?, id: String?) -> Bool {
        if let id, row[id].filter(\.isNumber).count >= 15 { return false }
        for header in labelled {
            let text = SpreadsheetTable.normalizedHeader(row[header])
                .trimmingCharacters(in: .init(charactersIn: ":：()（）"))
            guard !text.isEmpty else { continue }
            if header == name {
                if totalWords.contains(text) { return true }
            } else if totalWords.contains(where: { text.hasPrefix($0) || text.hasSuffix($0) }) {
                return true
            }
        }
        return false
    }
}
