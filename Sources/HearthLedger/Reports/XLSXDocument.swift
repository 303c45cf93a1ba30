import Foundation

/// One cell of a workbook Hearth writes.
public enum XLSXCell: Sendable, Equatable {
    /// Text, stored as text whatever it looks like: an ID or card number stays 18 or 19 digits
    /// when a spreadsheet opens it, and text beginning with `=` is never a formula.
    case text(String)
    /// A count, shown as it is.
    case integer(Int)
    /// Yuan with two decimals (`1120.00`), a number a spreadsheet can sum.
    case yuan(String)
    /// Bold text: headers, and the 小计 and 合计 labels.
    case heading(String)
    case empty

    /// A cell of the CSV rows Hearth's reports build (``SpreadsheetCSV``) as a typed cell:
    /// a cell behind a tab (an ID or card number) is text; yuan with two decimals and counts of
    /// up to seven digits without a leading zero are numbers; everything else, division codes
    /// and household numbers among them, is text.
    public static func from(csv cell: String) -> XLSXCell {
        if cell.isEmpty { return .empty }
        if cell.hasPrefix("\t") { return .text(String(cell.dropFirst())) }
        let bytes = Array(cell.utf8)
        let digits = { (slice: ArraySlice<UInt8>) in !slice.isEmpty && slice.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        let unsigned = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        if let dot = unsigned.firstIndex(of: UInt8(ascii: ".")), digits(unsigned[..<dot]),
            unsigned.distance(from: dot, to: unsigned.endIndex) == 3, digits(unsigned[(dot + 1)...]),
            unsigned[..<dot].count <= 13
        {
            return .yuan(cell)
        }
        if bytes.count <= 7, digits(bytes[...]), bytes.count == 1 || bytes.first != UInt8(ascii: "0"),
            let value = Int(cell)
        {
            return .integer(value)
        }
        return .text(cell)
    }
}

/// One worksheet: its tab's name and its rows.
public struct XLSXSheetContent: Sendable {
    public let name: String
    public let rows: [[XLSXCell]]

    public init(name: String, rows: [[XLSXCell]]) {
        self.name = name
        self.rows = rows
    }
}

/// An .xlsx workbook built from sheets of typed cells: the report and the roll for people who
/// open them in Excel, WPS or LibreOffice.
///
/// The zip is written here (``ZipWriter``), each part deflated as its XML is written into it
/// row by row, never built whole as text; every text is escaped: `&`, `<`, `>`
/// and quotes as entities, and characters XML 1.0 cannot hold (control characters) in the
/// spreadsheet's own `_xHHHH_` form, as is a literal `_x…_` in the text. Text cells are inline
/// strings with the text number format (`@`), so a spreadsheet keeps them text even when a
/// clerk edits them; yuan carry the `0.00` format.
public enum XLSXDocument {
    /// The workbook's bytes.
    public static func build(_ sheets: [XLSXSheetContent]) throws -> Data {
        var zip = ZipWriter()
        for (path, text) in [
            ("[Content_Types].xml", contentTypes(sheets.count)),
            ("_rels/.rels", packageRelationships),
            ("xl/workbook.xml", workbook(sheets)),
            ("xl/_rels/workbook.xml.rels", workbookRelationships(sheets.count)),
            ("xl/styles.xml", styles),
        ] {
            try zip.add(path) { $0.append(text) }
        }
        for (index, sheet) in sheets.enumerated() {
            try zip.add("xl/worksheets/sheet\(index + 1).xml") { try worksheet(sheet, into: &$0) }
        }
        return Data(zip.finish())
    }

    static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func contentTypes(_ count: Int) -> String {
        header + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" "
            + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" "
            + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
            + (1...max(count, 1)).map {
                "<Override PartName=\"/xl/worksheets/sheet\($0).xml\" "
                    + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            }.joined() + "</Types>"
    }

    static let packageRelationships =
        header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" "
        + "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
        + "Target=\"xl/workbook.xml\"/></Relationships>"

    static func workbook(_ sheets: [XLSXSheetContent]) -> String {
        var used: Set<String> = []
        let entries = sheets.enumerated().map { index, sheet in
            "<sheet name=\"\(escaped(sheetName(sheet.name, index: index, used: &used)))\" sheetId=\"\(index + 1)\" "
                + "r:id=\"rId\(index + 1)\"/>"
        }
        return header + "<workbook xmlns=\"\(main)\" xmlns:r=\"\(relationships)\"><sheets>" + entries.joined()
            + "</sheets></workbook>"
    }

    /// A tab name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
    static func sheetName(_ name: String, index: Int, used: inout Set<String>) -> String {
        var clean = String(name.filter { !"[]:*?/\\".contains($0) && !$0.isNewline }.prefix(31))
        if clean.isEmpty || used.contains(clean) { clean = String(clean.prefix(25)) + "(\(index + 1))" }
        used.insert(clean)
        return clean
    }

    static func workbookRelationships(_ count: Int) -> String {
        header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + (0..<count).map {
                "<Relationship Id=\"rId\($0 + 1)\" Type=\"\(relationships)/worksheet\" "
                    + "Target=\"worksheets/sheet\($0 + 1).xml\"/>"
            }.joined()
            + "<Relationship Id=\"rId\(count + 1)\" Type=\"\(relationships)/styles\" Target=\"styles.xml\"/>"
            + "</Relationships>"
    }

    /// Styles by index: 0 General, 1 text (`@`), 2 yuan (`0.00`), 3 bold text.
    static let styles =
        header + "<styleSheet xmlns=\"\(main)\">"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"宋体\"/></font>"
        + "<font><b/><sz val=\"11\"/><name val=\"宋体\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
        + "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"4\">"
        + "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"2\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"49\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" "
        + "applyFont=\"1\"/>"
        + "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "</styleSheet>"

    /// Writes the worksheet's XML into `part` a row at a time. The columns' widths come before
    /// the rows in the XML but are measured on them, so they are measured in a first pass.
    static func worksheet(_ sheet: XLSXSheetContent, into part: inout ZipWriter.Part) throws {
        var widths: [Int] = []
        for (rowIndex, row) in sheet.rows.enumerated() {
            // Line 1 of a roll is a long heading: its cells do not widen the columns.
            let measured = rowIndex > 0 || sheet.rows.count == 1
            for (columnIndex, cell) in row.enumerated() {
                let width: Int
                switch cell {
                case .empty: continue
                case .text(let text), .heading(let text): width = measured ? displayWidth(text) : 0
                case .integer(let value): width = String(value).utf8.count
                case .yuan(let text): width = text.utf8.count
                }
                while widths.count <= columnIndex { widths.append(0) }
                if measured { widths[columnIndex] = max(widths[columnIndex], width) }
            }
        }
        // Every row's widest, and so every column's name, is known: each name is spelled once.
        let names = (0..<(sheet.rows.map(\.count).max() ?? 0)).map { Array(columnName($0 + 1).utf8) }
        part.append(header)
        part.append("<worksheet xmlns=\"\(main)\" xmlns:r=\"\(relationships)\">")
        if !widths.isEmpty {
            part.append("<cols>")
            for (index, width) in widths.enumerated() {
                part.append(
                    "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(min(max(width + 2, 6), 60))\" customWidth=\"1\"/>"
                )
            }
            part.append("</cols>")
        }
        part.append("<sheetData>")
        for (rowIndex, row) in sheet.rows.enumerated() {
            part.append("<row r=\"")
            part.append(decimal: rowIndex + 1)
            part.append("\">")
            for (columnIndex, cell) in row.enumerated() {
                func reference() {
                    part.append("<c r=\"")
                    part.append(names[columnIndex])
                    part.append(decimal: rowIndex + 1)
                    part.append(UInt8(ascii: "\""))
                }
                switch cell {
                case .empty: continue
                case .text(let text), .heading(let text):
                    reference()
                    let style = if case .heading = cell { " s=\"3\"" } else { " s=\"1\"" }
                    part.append(style)
                    part.append(" t=\"inlineStr\"><is><t xml:space=\"preserve\">")
                    appendEscaped(text, to: &part)
                    part.append("</t></is></c>")
                case .integer(let value):
                    reference()
                    part.append("><v>")
                    part.append(decimal: value)
                    part.append("</v></c>")
                case .yuan(let text):
                    reference()
                    part.append(" s=\"2\"><v>")
                    part.append(text)
                    part.append("</v></c>")
                }
            }
            part.append("</row>")
            try part.flushIfFull()
        }
        part.append("</sheetData></worksheet>")
    }

    /// `text` escaped (``escaped(_:)``) into `part`; text with nothing to escape, nearly all of
    /// it, is copied as it is.
    static func appendEscaped(_ text: String, to part: inout ZipWriter.Part) {
        var text = text
        let plain = text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"),
                    UInt8(ascii: "_"):
                    return false
                case 0..<0x20 where bytes[index] != 0x09 && bytes[index] != 0x0A: return false
                // U+FFFE and U+FFFF, which XML 1.0 cannot hold.
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE:
                    return false
                default: index += 1
                }
            }
            part.append(bytes)
            return true
        }
        if !plain { part.append(escaped(text)) }
    }

    /// 1 → A, 27 → AA.
    static func columnName(_ number: Int) -> String {
        var number = number
        var name = ""
        while number > 0 {
            let remainder = (number - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            number = (number - 1) / 26
        }
        return name
    }

    /// Columns a text takes: a Chinese character two.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value < 0x1100 ? 1 : 2) }
    }

    /// Text for an XML attribute or element: entities for the five, `_xHHHH_` for what XML 1.0
    /// cannot hold, and `_x005F_` before a literal `_xHHHH_` so the spreadsheet does not decode it.
    static func escaped(_ text: String) -> String {
        var out = ""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "_x000D_"
            case "_" where looksEscaped(scalars, from: index): out += "_x005F_"
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value)
                    || (0xD800...0xDFFF).contains(scalar.value)
                {
                    out += "_x" + String(format: "%04X", scalar.value) + "_"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `_x` four hex digits `_` from `index`: what a spreadsheet reads as an escaped character.
    static func looksEscaped(_ scalars: [Unicode.Scalar], from index: Int) -> Bool {
        guard index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_" else { return false }
        return scalars[(index + 2)...(index + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }
}
