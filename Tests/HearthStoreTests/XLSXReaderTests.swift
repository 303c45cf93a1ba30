import Foundation
import Testing
import ZIPFoundation

@testable import HearthLedger

/// The .xlsx reader on workbooks built part by part here (what spreadsheet programs write, and
/// what they never write): cells of every kind, and damaged or hostile zips. Workbooks made by
/// a real spreadsheet program are read in the CLI's tests (CLISheetsTests).
@Suite("Reading .xlsx workbooks")
struct XLSXReaderTests {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static let workbook =
        "<workbook xmlns=\"\(main)\" xmlns:r=\"\(rels)\"><workbookPr date1904=\"false\"/><sheets>"
        + "<sheet name=\"花名册\" sheetId=\"1\" r:id=\"rId7\"/><sheet name=\"其他\" sheetId=\"2\" r:id=\"rId8\"/>"
        + "</sheets></workbook>"
    static let workbookRels =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId8\" Type=\"\(rels)/worksheet\" Target=\"worksheets/other.xml\"/>"
        + "<Relationship Id=\"rId7\" Type=\"\(rels)/worksheet\" Target=\"/xl/worksheets/first.xml\"/></Relationships>"
    /// Styles: 0 General, 1 a date (14), 2 scientific (custom 0.00000E+00), 3 `000`, 4 `yyyy"年"m"月"`.
    static let styles =
        "<styleSheet xmlns=\"\(main)\"><numFmts><numFmt numFmtId=\"165\" formatCode=\"0.00000E+00\"/>"
        + "<numFmt numFmtId=\"166\" formatCode=\"000\"/><numFmt numFmtId=\"167\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;\"/>"
        + "</numFmts><cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs><xf numFmtId=\"0\"/>"
        + "<xf numFmtId=\"14\"/><xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"167\"/></cellXfs></styleSheet>"
    static let shared =
        "<sst xmlns=\"\(main)\"><si><t>姓名</t></si><si><r><t>王</t></r><r><rPr><b/></rPr><t>秀英</t></r>"
        + "<rPh><t>おう</t></rPh></si><si><t xml:space=\"preserve\"> 421281198001010011 </t></si>"
        + "<si><t>A_x0009_B</t></si></sst>"

    static func sheet(_ rows: String) -> String {
        "<worksheet xmlns=\"\(main)\"><sheetData>\(rows)</sheetData></worksheet>"
    }

    /// A zip of these parts, deflated, as bytes.
    static func zip(_ parts: [(String, String)]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
        return Array(try #require(archive.data))
    }

    static func workbook(sheet: String, extra: [(String, String)] = []) throws -> [UInt8] {
        try zip(
            [
                ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", workbookRels), ("xl/styles.xml", styles),
                ("xl/sharedStrings.xml", shared), ("xl/worksheets/first.xml", sheet),
                (
                    "xl/worksheets/other.xml",
                    Self.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>no</t></is></c></row>")
                ),
            ] + extra)
    }

    func error(_ bytes: [UInt8], limits: XLSXLimits = .standard) -> SpreadsheetError? {
        do {
            _ = try XLSXWorkbook.records(bytes, file: "r.xlsx", limits: limits)
            return nil
        } catch { return error }
    }

    @Test("the first worksheet's cells read as the spreadsheet shows them, with the sheet's row numbers")
    func cells() throws {
        let bytes = try Self.workbook(
            sheet: Self.sheet(
                "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"inlineStr\"><is><t>金额</t></is></c>"
                    + (2...15).filter { $0 != 3 }.map {
                        "<c r=\"\(XLSXDocument.columnName($0))1\" t=\"inlineStr\"><is><t>h\($0)</t></is></c>"
                    }.joined() + "</row>"
                    + "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>1</v></c><c r=\"B4\" t=\"s\"><v>2</v></c><c r=\"C4\"><v>1</v></c>"
                    + "<c r=\"D4\"><v>560.5</v></c><c r=\"E4\"><v>421281101001</v></c><c r=\"F4\"><v>4.2128119800101E+17</v></c>"
                    + "<c r=\"G4\" s=\"1\"><v>46023</v></c><c r=\"H4\" s=\"2\"><v>130102000000</v></c>"
                    + "<c r=\"I4\" s=\"3\"><v>1</v></c><c r=\"J4\" t=\"b\"><v>1</v></c><c r=\"K4\" t=\"str\"><f>A4</f><v>王秀英</v></c>"
                    + "<c r=\"L4\"><v>0.30000000000000004</v></c><c r=\"M4\" t=\"s\"><v>3</v></c><c r=\"N4\" s=\"4\"><v>46054</v></c>"
                    + "<c r=\"O4\" t=\"e\"><v>#N/A</v></c></row><row r=\"5\"><c r=\"B5\"/></row>"))
        let records = try XLSXWorkbook.records(bytes, file: "r.xlsx")
        #expect(records.map(\.line) == [1, 4])
        #expect(records[0].fields.prefix(3) == ["姓名", "h2", "金额"])
        #expect(
            records[1].fields == [
                "王秀英", " 421281198001010011 ", "1", "560.5", "421281101001", "4.21281E+17", "2026-01-01", "1.30102E+11",
                "001", "TRUE", "王秀英", "0.3", "A\tB", "2026-02-01", "#N/A",
            ])
        // Through the table every import reads: the same cleaning as CSV.
        let table = try SpreadsheetTable(bytes: bytes, file: "r.xlsx")
        #expect(table.encoding == .xlsx)
        #expect(table.rows.first?["姓名"] == "王秀英")
    }

    @Test("numbers read as Excel shows them: integers exactly below 2^53, dates, scientific and padded formats")
    func numbers() {
        #expect(XLSXNumberText.general(1) == "1")
        #expect(XLSXNumberText.general(-3) == "-3")
        #expect(XLSXNumberText.general(421_281_198_001_010) == "421281198001010")
        #expect(XLSXNumberText.general(9_007_199_254_740_991) == "9007199254740991")
        #expect(XLSXNumberText.general(1e16) == "1E+16")
        #expect(XLSXNumberText.general(0.000012) == "1.2E-05")
        #expect(XLSXNumberText.date(61, time: false, date1904: false) == "1900-03-01")
        #expect(XLSXNumberText.date(59, time: false, date1904: false) == "1900-02-28")
        #expect(XLSXNumberText.date(60, time: false, date1904: false) == nil)  // Excel's 29 February 1900
        #expect(XLSXNumberText.date(0, time: false, date1904: true) == "1904-01-01")
        #expect(XLSXNumberText.date(46023.5, time: true, date1904: false) == "2026-01-01 12:00:00")
        #expect(XLSXNumberText.custom("[$-804]yyyy\"年\"m\"月\"d\"日\"") == .date(time: false))
        #expect(XLSXNumberText.custom("0.00E+00") == .scientific(decimals: 2))
        #expect(XLSXNumberText.custom("General") == .general)
        #expect(XLSXNumberText.custom("\"Day\"0") == .general)
        #expect(XLSXNumberText.custom("000000") == .zeroPadded(width: 6))
        #expect(XLSXNumberText.text(1.30102e11, kind: .scientific(decimals: 2), date1904: false) == "1.30E+11")
    }

    @Test("a file that is not a zip, a damaged zip, or a zip without a worksheet is refused with a clear error")
    func malformed() throws {
        #expect(error(Array("PK\u{3}\u{4}not a zip at all".utf8)) == .notAWorkbook(file: "r.xlsx"))
        #expect(error(Array("姓名,身份证号\n".utf8)) == .notAWorkbook(file: "r.xlsx"))
        let good = try Self.workbook(sheet: Self.sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"))
        #expect(error(Array(good.prefix(good.count / 2))) == .notAWorkbook(file: "r.xlsx"))
        // One byte of a part's compressed data changed: its check sum fails, or it does not inflate.
        var flipped = good
        flipped[60] ^= 0xFF
        if case .damagedWorkbook = error(flipped) {
        } else if error(flipped) != .notAWorkbook(file: "r.xlsx") {
            Issue.record("a damaged part was read: \(String(describing: error(flipped)))")
        }
        #expect(error(try Self.zip([("word/document.xml", "<w/>")])) == .noWorksheet(file: "r.xlsx"))
        #expect(
            error(
                try Self.zip([("xl/workbook.xml", Self.workbook), ("xl/_rels/workbook.xml.rels", Self.workbookRels)]))
                == .noWorksheet(file: "r.xlsx"))
        let description = SpreadsheetError.notAWorkbook(file: "r.xlsx").description
        #expect(description.contains("另存为") && description.contains(".xlsx"))
    }

    @Test("damaged or hostile XML is refused: a DTD (entity bombs), bad XML, a missing shared string, a cell past XFD")
    func hostileParts() throws {
        let bomb =
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
            + Self.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol2;</t></is></c></row>")
        for (sheet, reason) in [
            (bomb, "document type"),
            (Self.sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c>"), "well-formed"),
            (Self.sheet("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row>"), "shared string"),
            (Self.sheet("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>"), "XFD"),
            (Self.sheet("<row r=\"1\"><c r=\"421281198001\"><v>1</v></c></row>"), "names no cell"),
            (Self.sheet("<row r=\"2\"/><row r=\"1\"/>"), "out of order"),
            (Self.sheet("<row r=\"1\"><c r=\"A1\"><v>abc</v></c></row>"), "not a number"),
        ] {
            guard case .damagedWorkbook(_, let part, let why) = error(try Self.workbook(sheet: sheet)) else {
                Issue.record(
                    "not refused as damaged: \(reason): \(String(describing: error(try Self.workbook(sheet: sheet))))")
                continue
            }
            #expect(part == "xl/worksheets/first.xml")
            #expect(why.contains(reason), "\(why)")
            #expect(!why.contains("4212811"))  // nothing of a cell's or reference's digits is repeated
        }
    }

    @Test("a zip bomb and a sheet of too many cells are refused by the limits, not unpacked into memory")
    func limits() throws {
        // 4 MiB of blanks inside a cell deflate to a few kilobytes.
        let blanks = String(repeating: " ", count: 4 << 20)
        let bomb = try Self.workbook(
            sheet: Self.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\(blanks)</t></is></c></row>"))
        #expect(bomb.count < 64 << 10)
        let small = XLSXLimits(fileBytes: 1 << 20, unpackedBytes: 1 << 20, cells: 100, textBytes: 1 << 20)
        guard case .tooLarge(_, let limit) = error(bomb, limits: small) else {
            Issue.record("the bomb was unpacked: \(String(describing: error(bomb, limits: small)))")
            return
        }
        #expect(limit.contains("unpacks to more than 1 MiB"))
        #expect(error(bomb) == nil)  // within the standard limits it is only a big cell
        // A cell far to the right counts every column before it.
        let wide = try Self.workbook(
            sheet: Self.sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"DA1\"><v>1</v></c></row>"))
        guard case .tooLarge(_, let cells) = error(wide, limits: small) else {
            Issue.record("too many cells were read")
            return
        }
        #expect(cells.contains("more than 100 cells"))
        let rows = (1...60).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>1</v></c><c r=\"B\($0)\"><v>2</v></c></row>" }
        #expect(error(try Self.workbook(sheet: Self.sheet(rows.joined())), limits: small) != nil)
        #expect(error(try Self.workbook(sheet: Self.sheet(rows.prefix(50).joined())), limits: small) == nil)
        // A small part (styles, relationships, the workbook) past 16 MiB is refused whatever the
        // budget left: what it holds is kept whole.
        let styles =
            "<styleSheet xmlns=\"\(Self.main)\"><cellXfs>" + String(repeating: "<xf/>", count: 4 << 20)
            + "</cellXfs></styleSheet>"
        let manyStyles = try Self.zip([
            ("xl/workbook.xml", Self.workbook), ("xl/_rels/workbook.xml.rels", Self.workbookRels),
            ("xl/styles.xml", styles), ("xl/worksheets/first.xml", Self.sheet("")),
        ])
        #expect(manyStyles.count < 1 << 20)
        #expect(
            error(manyStyles)
                == .tooLarge(file: "r.xlsx", limit: "its part xl/styles.xml unpacks to more than 16 MiB"))
        let big = XLSXLimits(fileBytes: 1000, unpackedBytes: 1 << 30, cells: 100, textBytes: 1 << 20)
        #expect(error(bomb, limits: big) == .tooLarge(file: "r.xlsx", limit: "the file is larger than 0 MiB"))
        // A file past the standard limit is refused before it is read into memory (a sparse file here).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let huge = folder.appendingPathComponent("huge.xlsx").path
        #expect(FileManager.default.createFile(atPath: huge, contents: Data(bomb)))
        let handle = try #require(FileHandle(forWritingAtPath: huge))
        try handle.truncate(atOffset: UInt64(XLSXLimits.standard.fileBytes + 1))
        try handle.close()
        #expect(throws: SpreadsheetError.tooLarge(file: huge, limit: "the file is larger than 100 MiB")) {
            try SpreadsheetTable.read(path: huge)
        }
        // CSV text past what a workbook may hold is refused before it is read too: it was read
        // whole into memory, whatever its size.
        let text = folder.appendingPathComponent("huge.csv").path
        #expect(FileManager.default.createFile(atPath: text, contents: Data("姓名,身份证号\n".utf8)))
        let textHandle = try #require(FileHandle(forWritingAtPath: text))
        try textHandle.truncate(atOffset: UInt64(XLSXLimits.standard.textBytes + 1))
        try textHandle.close()
        #expect(throws: SpreadsheetError.textTooLarge(file: text, mib: 512)) { try SpreadsheetTable.read(path: text) }
        #expect(SpreadsheetError.textTooLarge(file: text, mib: 512).description.contains("larger than 512 MiB"))
    }

    @Test("a value is trimmed as Foundation trims .whitespaces, on seeded values; a column read twice keeps the later")
    func values() throws {
        var random = SplitMix64(seed: 0x7A1)
        let pieces = ["1", "42", " ", "\t", "\n", "\r", "\u{3000}", "\u{A0}", "-", ".", "E", "王", "x", ""]
        for _ in 0..<5_000 {
            let text = (0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
                .joined()
            #expect(
                XLSXSheet.trimmed(text) == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
        }
        // A row naming one cell again and again counts each time against the cell limit.
        let again = Self.sheet("<row r=\"1\">" + String(repeating: "<c r=\"A1\"><v>1</v></c>", count: 200) + "</row>")
        let small = XLSXLimits(fileBytes: 1 << 20, unpackedBytes: 1 << 20, cells: 100, textBytes: 1 << 20)
        #expect(
            error(try Self.workbook(sheet: again), limits: small)
                == .tooLarge(file: "r.xlsx", limit: "it holds more than 100 cells"))
        let twice = Self.sheet(
            "<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>2</v></c><c r=\"B1\"><v> 3 </v></c></row>")
        #expect(
            try XLSXWorkbook.records(try Self.workbook(sheet: twice), file: "r.xlsx").map(\.fields) == [["2", "3"]])
    }

    @Test("one long string named by every cell is refused by the text it would make, not read into memory")
    func textBomb() throws {
        // 50 KB of text, shared by 400 cells: 20 MB of cells from a workbook of a few kilobytes.
        let long = String(repeating: "王", count: 16_000)
        let shared = "<sst xmlns=\"\(Self.main)\"><si><t>\(long)</t></si></sst>"
        let rows = (1...40).map { row in
            "<row r=\"\(row)\">"
                + (1...10).map { "<c r=\"\(XLSXDocument.columnName($0))\(row)\" t=\"s\"><v>0</v></c>" }
                .joined() + "</row>"
        }
        let bytes = try Self.zip([
            ("xl/workbook.xml", Self.workbook), ("xl/_rels/workbook.xml.rels", Self.workbookRels),
            ("xl/sharedStrings.xml", shared), ("xl/worksheets/first.xml", Self.sheet(rows.joined())),
        ])
        #expect(bytes.count < 16 << 10)
        let limits = XLSXLimits(fileBytes: 1 << 20, unpackedBytes: 1 << 20, cells: 10_000, textBytes: 10 << 20)
        #expect(error(bytes, limits: limits) == .tooLarge(file: "r.xlsx", limit: "it holds more than 10 MiB of text"))
        // The strings' own text counts: a table of strings past the limit is refused as it is read.
        let tight = XLSXLimits(fileBytes: 1 << 20, unpackedBytes: 1 << 20, cells: 10_000, textBytes: 40_000)
        #expect(error(bytes, limits: tight) == .tooLarge(file: "r.xlsx", limit: "it holds more than 0 MiB of text"))
        // One value of more text than the limit is refused as it is read, before it is parsed: a
        // number of 2 MiB of digits was gathered whole, then refused as not a number.
        let digits = String(repeating: "7", count: 2 << 20)
        let huge = try Self.workbook(sheet: Self.sheet("<row r=\"1\"><c r=\"A1\"><v>\(digits)</v></c></row>"))
        let small = XLSXLimits(fileBytes: 1 << 20, unpackedBytes: 8 << 20, cells: 10_000, textBytes: 1 << 20)
        #expect(error(huge, limits: small) == .tooLarge(file: "r.xlsx", limit: "it holds more than 1 MiB of text"))
        // Within the limit the same cells read, each the whole string.
        let roomy = XLSXLimits(fileBytes: 1 << 20, unpackedBytes: 1 << 20, cells: 10_000, textBytes: 32 << 20)
        let records = try XLSXWorkbook.records(bytes, file: "r.xlsx", limits: roomy)
        #expect(records.count == 40 && records.allSatisfy { $0.fields == Array(repeating: long, count: 10) })
    }

    @Test(
        "a county's workbook reads whole: a worksheet and shared strings each past 10 MB of XML (libxml2's lookup limit)"
    )
    func largeParts() throws {
        // 40,000 rows of 10 cells: 400,000 shared strings (about 14 MB of XML) and a worksheet
        // of about 17 MB, both on one line, as Excel and LibreOffice write them.
        let rowCount = 40_000
        let strings = (0..<(rowCount * 10)).map { "<si><t>王秀英\($0)</t></si>" }.joined()
        var rows = ""
        for row in 1...rowCount {
            rows += "<row r=\"\(row)\">"
            for column in 0..<10 {
                let name = XLSXDocument.columnName(column + 1)
                rows += "<c r=\"\(name)\(row)\" t=\"s\"><v>\((row - 1) * 10 + column)</v></c>"
            }
            rows += "</row>"
        }
        let sheet = Self.sheet(rows)
        let shared = "<sst xmlns=\"\(Self.main)\">\(strings)</sst>"
        #expect(sheet.utf8.count > 10_000_000 && shared.utf8.count > 10_000_000)
        let bytes = try Self.zip([
            ("xl/workbook.xml", Self.workbook), ("xl/_rels/workbook.xml.rels", Self.workbookRels),
            ("xl/styles.xml", Self.styles), ("xl/sharedStrings.xml", shared), ("xl/worksheets/first.xml", sheet),
        ])
        let records = try XLSXWorkbook.records(bytes, file: "county.xlsx")
        #expect(records.count == rowCount)
        #expect(records.map(\.line) == Array(1...rowCount))
        #expect(records[0].fields == (0..<10).map { "王秀英\($0)" })
        #expect(records[rowCount - 1].fields.last == "王秀英\(rowCount * 10 - 1)")
    }

    @Test(
        "the table's refusals come through the streamed worksheet as themselves: a value without a header, a header twice"
    )
    func tableRefusals() throws {
        func refusal(_ rows: String) -> SpreadsheetError? {
            do {
                _ = try SpreadsheetTable(bytes: try Self.workbook(sheet: Self.sheet(rows)), file: "r.xlsx")
                return nil
            } catch { return error as? SpreadsheetError }
        }
        let header = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c></row>"
        let stray = "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>王</t></is></c><c r=\"C3\"><v>7</v></c></row>"
        #expect(refusal(header + stray) == .valueWithoutHeader(file: "r.xlsx", line: 3, column: 3))
        let twice =
            "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>姓名</t></is></c>"
            + "<c r=\"B2\" t=\"inlineStr\"><is><t>姓 名</t></is></c></row>"
        #expect(refusal(twice) == .duplicateHeader(file: "r.xlsx", header: "姓 名"))
        // The rows before the refusal were read; a good sheet gives its rows in order.
        let good = header + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>王</t></is></c></row>"
        let table = try SpreadsheetTable(bytes: try Self.workbook(sheet: Self.sheet(good)), file: "r.xlsx")
        #expect(table.rows.map(\.line) == [3])
        #expect(table.rows.first?["姓名"] == "王")
    }

    @Test("a workbook Hearth writes reads back cell for cell: text stays text, escapes survive, yuan are numbers")
    func roundTrip() throws {
        let rows: [[XLSXCell]] = [
            [.heading("姓名"), .heading("身份证号"), .heading("金额")],
            [.text("=HYPERLINK(\"x\")"), .text("421281198001010011"), .yuan("560.00")],
            [.text("A\u{1}B_x0041_<&>\"'"), .empty, .integer(3)],
        ]
        let data = try XLSXDocument.build([XLSXSheetContent(name: "名册[1]", rows: rows)])
        let records = try XLSXWorkbook.records(Array(data), file: "out.xlsx")
        #expect(
            records.map(\.fields) == [
                ["姓名", "身份证号", "金额"], ["=HYPERLINK(\"x\")", "421281198001010011", "560"],
                ["A\u{1}B_x0041_<&>\"'", "", "3"],
            ])
        #expect(XLSXCell.from(csv: "\t421281198001010011") == .text("421281198001010011"))
        #expect(XLSXCell.from(csv: "-560.00") == .yuan("-560.00"))
        #expect(XLSXCell.from(csv: "12") == .integer(12))
        #expect(XLSXCell.from(csv: "0012") == .text("0012"))
        #expect(XLSXCell.from(csv: "421281101001") == .text("421281101001"))
        #expect(XLSXCell.from(csv: "2026-11") == .text("2026-11"))
    }
}
