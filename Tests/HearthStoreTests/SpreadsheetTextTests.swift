import Foundation
import HearthCore
@testable import HearthLedger
import Testing

@testable import HearthStore
import HearthTestSupport

@Suite("Reading spreadsheets as counties save them")
struct SpreadsheetTextTests {
    static let csv =
        "姓名,身份证号,地址\r\n王秀英,\t421281198001010011,\"新庄村三组12号, 东\"\r\n李强,'42128119820305002X,\"他说\"\"好\"\"\"\r\n"

    /// This test's directories, removed when it ends.
    let temporary = TemporaryDirectories()

    func temporaryDirectory() throws -> String {
        try temporary.make("hearth-sheet")
    }

    @Test("UTF-8 with a BOM, UTF-8 without one and GB18030 (Excel on a Chinese system) read as the same table")
    func encodings() throws {
        let gb = try #require(GB18030.encode(Self.csv))
        // Really GB18030: 中文 is D6D0 CEC4 in GBK and GB18030, not its six UTF-8 bytes.
        #expect(GB18030.encode("中文") == [0xD6, 0xD0, 0xCE, 0xC4])
        #expect(String(validating: gb, as: UTF8.self) == nil)
        let tables = try [
            SpreadsheetTable(bytes: [0xEF, 0xBB, 0xBF] + Array(Self.csv.utf8), file: "bom.csv"),
            SpreadsheetTable(bytes: Array(Self.csv.utf8), file: "plain.csv"),
            SpreadsheetTable(bytes: gb, file: "gb.csv"),
        ]
        #expect(tables.map(\.encoding) == [.utf8BOM, .utf8, .gb18030])
        for table in tables {
            #expect(table.headers == ["姓名", "身份证号", "地址"])
            #expect(table.rows.map(\.line) == [2, 3])
            #expect(table.rows[0]["姓名"] == "王秀英")
            #expect(table.rows[0]["身份证号"] == "421281198001010011")
            #expect(table.rows[0]["地址"] == "新庄村三组12号, 东")
            #expect(table.rows[1]["身份证号"] == "42128119820305002X")
            #expect(table.rows[1]["地址"] == "他说\"好\"")
        }
    }

    @Test("quoted cells keep commas, doubled quotes and line breaks; LF or CRLF; rows keep their first line's number")
    func quotingAndLines() throws {
        let text = "a,b\n1,\"two\nlines\"\n\n3,\"x,y\"\r\n,\n4,=\"0012\"\n\n"
        let table = try SpreadsheetTable(bytes: Array(text.utf8), file: "t.csv")
        #expect(table.rows.map(\.line) == [2, 5, 7])
        #expect(table.rows[0]["b"] == "two\nlines")
        #expect(table.rows[1]["b"] == "x,y")
        #expect(table.rows[2]["b"] == "0012")
        #expect(table.rows[2].values == ["4", "=\"0012\""])
        let short = try SpreadsheetTable(bytes: Array("a,b,c\n1\n".utf8), file: "s.csv")
        #expect(short.rows[0]["c"] == "")
        let trailingBlankHeaders = try SpreadsheetTable(bytes: Array("a,b,,\n1,2,,\n".utf8), file: "e.csv")
        #expect(trailingBlankHeaders.headers == ["a", "b"])
    }

    @Test("headers match across full-width forms, blanks, underscores and case")
    func headerMatching() throws {
        let table = try SpreadsheetTable(bytes: Array("村（社区）代码, ID_Number\n1,2\n".utf8), file: "h.csv")
        #expect(table.column(named: ["村(社区)代码"]) == "村（社区）代码")
        #expect(table.column(named: ["id number"]) == "ID_Number")
        #expect(table.column(named: ["姓名"]) == nil)
    }

    @Test("an .xls or a broken zip, UTF-16, binary bytes, an unclosed quote and a repeated header are refused clearly")
    func refusals() throws {
        func error(_ bytes: [UInt8]) -> SpreadsheetError? {
            do {
                _ = try SpreadsheetTable(bytes: bytes, file: "x.csv")
                return nil
            } catch { return error }
        }
        #expect(error([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]) == .notAWorkbook(file: "x.csv"))
        #expect(error([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1]) == .workbook(file: "x.csv"))
        #expect(error([0xFF, 0xFE, 0x53, 0x59]) == .utf16(file: "x.csv"))
        #expect(error([0x61, 0x00, 0x62]) == .notText(file: "x.csv"))
        #expect(error([0x61, 0x2C, 0xFF, 0xFF, 0x0A]) == .notText(file: "x.csv"))
        #expect(error([]) == .empty(file: "x.csv"))
        #expect(error(Array("a,b\n1,\"open\n2,3\n".utf8)) == .unterminatedQuote(file: "x.csv", line: 2))
        #expect(error(Array("姓名,姓名\n1,2\n".utf8)) == .duplicateHeader(file: "x.csv", header: "姓名"))
        #expect(error(Array("a,b\n1,2,3\n".utf8)) == .valueWithoutHeader(file: "x.csv", line: 2, column: 3))
        #expect(SpreadsheetError.workbook(file: "x.csv").description.contains("CSV UTF-8"))
        #expect(throws: SpreadsheetError.noSuchFile(file: "/nonexistent/roster.csv")) {
            try SpreadsheetTable.read(path: "/nonexistent/roster.csv")
        }
    }

    @Test("skipped rows go beside the input with their reasons: 0600, BOM, never over an existing file")
    func skippedFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/roster.csv"
        try Data(Self.csv.utf8).write(to: URL(fileURLWithPath: path))
        let table = try SpreadsheetTable.read(path: path)
        let first = try table.writeSkipped([SkippedRow(row: table.rows[1], reason: "身份证号: check digit does not match")])
        #expect(first == directory + "/roster.skipped.csv")
        let second = try table.writeSkipped([SkippedRow(row: table.rows[0], reason: "x")])
        #expect(second == directory + "/roster.skipped-2.csv")
        let attributes = try FileManager.default.attributesOfItem(atPath: first)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: first)))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        // Read back: the original columns, the row as it was, and the reason.
        let back = try SpreadsheetTable.read(path: first)
        #expect(back.headers == ["姓名", "身份证号", "地址", "错误原因"])
        #expect(back.rows.count == 1)
        #expect(back.rows[0]["身份证号"] == "42128119820305002X")
        #expect(back.rows[0]["地址"] == "他说\"好\"")
        #expect(back.rows[0]["错误原因"] == "身份证号: check digit does not match")
        // A fixed skipped file written again reuses its reason column.
        let again = try back.writeSkipped([SkippedRow(row: back.rows[0], reason: "again")])
        #expect(try SpreadsheetTable.read(path: again).headers == ["姓名", "身份证号", "地址", "错误原因"])
    }

    @Test("a skipped row whose cells read as formulas is written neutralised, and reads back as it was")
    func skippedRowsNeutralised() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/roster.csv"
        let hostile =
            "姓名,身份证号,地址,金额\r\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",=\"421281198001010011\","
            + "+1+cmd,-560.00\r\n@SUM(A1),\t42128119820305002X,\"\t=1+1\",-5x\r\n"
        try Data(hostile.utf8).write(to: URL(fileURLWithPath: path))
        let table = try SpreadsheetTable.read(path: path)
        let written = try table.writeSkipped(table.rows.map { SkippedRow(row: $0, reason: "-bad: =x") })
        let text = try String(contentsOfFile: written, encoding: .utf8)
        #expect(text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""), "\(text)")
        #expect(text.contains(",'+1+cmd,-560.00,'-bad: =x"), "a negative number stays a number: \(text)")
        #expect(text.contains("'@SUM(A1),\t42128119820305002X,'\t=1+1,'-5x,"), "\(text)")
        #expect(text.contains(",\t421281198001010011,"), "an ID number in a =\"…\" wrapper is kept as text by a tab")
        // Hearth's reader drops the ' again: a fixed skipped file imports as the original would.
        let back = try SpreadsheetTable.read(path: written)
        #expect(back.rows.map { $0["姓名"] } == ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)"])
        #expect(back.rows.map { $0["地址"] } == ["+1+cmd", "=1+1"])
        #expect(back.rows.map { $0["金额"] } == ["-560.00", "-5x"])
        #expect(back.rows.map { $0["身份证号"] } == ["421281198001010011", "42128119820305002X"])
        #expect(back.rows.map { $0["错误原因"] } == ["-bad: =x", "-bad: =x"])
    }

    @Test("a CSV cell is neutralised when a spreadsheet would run it, never when it is a number")
    func csvCells() {
        for live in ["=1+1", "+1+1", "-1+2", "@A1", "\t=1", "\r+A1", " =1", "\u{FF1D}1", "-", "-x", "=", "\n@x"] {
            #expect(SpreadsheetCSV.neutralised(live) == "'" + live, "\(live.debugDescription)")
        }
        let inert = [
            "-560.00", "+3", "\r+1", "12", "0.5", "\t421281198001010011", "\t42128119820305002X", "王秀英", "", "a=b",
            "'=x",
        ]
        for inert in inert {
            #expect(SpreadsheetCSV.neutralised(inert) == inert, "\(inert.debugDescription)")
        }
        #expect(SpreadsheetCSV.cell("=A1,B1") == "\"'=A1,B1\"")
        #expect(SpreadsheetCSV.cell("a\"b") == "\"a\"\"b\"")
        #expect(SpreadsheetCSV.document([["a", "-1"], ["=b", "c\nd"]]) == "\u{FEFF}a,-1\r\n'=b,\"c\nd\"\r\n")
    }

    @Test(
        "a CSV built cell by cell (the roll's files) is, for any cells, each cell through cell(_:), joined by commas, rows by CRLF, after a BOM",
        arguments: [1, 2, 3, 4, 5] as [UInt64])
    func builtCellByCell(seed: UInt64) {
        // Pieces that decide a cell's fate in its first character or anywhere in it: blanks and
        // formula starts, ASCII and full-width, a tab before digits, Chinese, commas, quotes, breaks.
        let pieces = [
            "", "=", "+", "-", "@", "\t", " ", "\r", "\n", "\u{3000}", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}",
            "\u{FF11}", ",", "\"", "'", "1", "560.00", "421281198001010011", "王", "秀英", "a", "HYPERLINK(", "é",
        ]
        var random = SplitMix64(seed: seed)
        var rows: [[String]] = []
        for _ in 0..<200 {
            rows.append(
                (0..<Int.random(in: 0...6, using: &random)).map { _ in
                    (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                        .joined()
                })
        }
        var text = SpreadsheetCSV.Text()
        for row in rows { text.row(row) }
        let expected = "\u{FEFF}" + rows.map { $0.map(SpreadsheetCSV.cell).joined(separator: ",") + "\r\n" }.joined()
        #expect(text.text == expected)
        #expect(SpreadsheetCSV.document(rows) == expected)
        #expect(SpreadsheetCSV.bytes(rows) == Array(expected.utf8))
        // A roll's plain cells are written as they are: only the first character and the four
        // bytes that need quoting decide.
        for plain in ["王秀英", "\t421281198001010011", "城市低保", "117.00", "H-03e240d0d701-1"] {
            #expect(SpreadsheetCSV.isPlain(plain) && SpreadsheetCSV.cell(plain) == plain, "\(plain.debugDescription)")
        }
        for guarded in ["\u{FF1D}1", "\t\u{3000}=1", "\u{3000}\u{FF0B}1", "王,秀英", "", "\t"] {
            #expect(!SpreadsheetCSV.isPlain(guarded), "\(guarded.debugDescription)")
        }
    }

    @Test("a file is read whole, across the reader's 1 MiB chunks, and a large CSV gives one row a record")
    func readsWhole() throws {
        let directory = try temporaryDirectory()
        var random = SplitMix64(seed: 11)
        // 2.5 MiB and a bit, so the last chunk is partial.
        let bytes = (0..<(5 << 19) + 17).map { _ in UInt8.random(in: 0...255, using: &random) }
        let path = directory + "/bytes.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try SpreadsheetTable.contents(of: path) == bytes)
        #expect(FileManager.default.createFile(atPath: directory + "/empty.csv", contents: nil))
        #expect(try SpreadsheetTable.contents(of: directory + "/empty.csv").isEmpty)
        do {
            _ = try SpreadsheetTable.contents(of: directory + "/missing.csv")
            Issue.record("a missing file was read")
        } catch {
            guard case .cannotRead(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file.hasSuffix("missing.csv") && reason.contains("No such file"), "\(reason)")
        }
        // 60,000 rows read as they are parsed: each row's line and cells as written.
        var text = "区划代码,姓名,身份证号\n"
        for number in 0..<60_000 {
            text += "421281101001,王\(number),\t42128119800101\(String(format: "%04d", number % 10_000))\n"
        }
        let sheet = directory + "/big.csv"
        try text.write(toFile: sheet, atomically: true, encoding: .utf8)
        let table = try SpreadsheetTable.read(path: sheet)
        #expect(table.rows.count == 60_000)
        #expect(table.rows.map(\.line) == Array(2...60_001))
        #expect(table.rows[59_999]["姓名"] == "王59999")
        #expect(table.rows[59_999]["身份证号"] == "421281198001019999")
        #expect(table.rows[59_999].values == ["421281101001", "王59999", "\t421281198001019999"])
    }
}
