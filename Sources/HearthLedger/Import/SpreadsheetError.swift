import HearthText

/// Why a spreadsheet file could not be read (or its skipped rows written), worded for the
/// administrator who saved it from Excel.
///
/// Every case names the file; none repeats a cell's content, because cells hold ID and
/// bank card numbers that must not end up on screens or in logs.
public enum SpreadsheetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There is no file at the path.
    case noSuchFile(file: String)
    /// The file exists but could not be read.
    case cannotRead(file: String, reason: String)
    /// The file is empty, or holds only blank lines.
    case empty(file: String)
    /// An old Excel workbook (.xls), which is neither CSV text nor .xlsx.
    case workbook(file: String)
    /// Named .xlsx or begun like a zip, but not a zip that can be read.
    case notAWorkbook(file: String)
    /// A readable zip without a worksheet in it (another kind of zip, or a workbook of charts only).
    case noWorksheet(file: String)
    /// A part of the workbook (its XML) is damaged or of a form no spreadsheet program writes.
    case damagedWorkbook(file: String, part: String, reason: String)
    /// The workbook unpacks to more than a roster ever holds: a zip bomb, or the wrong file.
    case tooLarge(file: String, limit: String)
    /// CSV text far larger than any county's roster: the wrong file, refused before it is read.
    case textTooLarge(file: String, mib: Int)
    /// UTF-16 text ("Unicode text" in Excel's Save As list).
    case utf16(file: String)
    /// Neither UTF-8 nor GB18030 text (or not text at all).
    case notText(file: String)
    /// A quoted cell is never closed.
    case unterminatedQuote(file: String, line: Int)
    /// Two columns have the same header.
    case duplicateHeader(file: String, header: String)
    /// A column without a header has a value in it.
    case valueWithoutHeader(file: String, line: Int, column: Int)
    /// The skipped-rows file could not be written.
    case cannotWrite(file: String, reason: String)

    public var description: String {
        switch self {
        case .noSuchFile(let file): return Catalogue.text("sheet.no_such_file", ["file": file])
        case .cannotRead(let file, let reason):
            return Catalogue.text("sheet.cannot_read", ["file": file, "reason": reason])
        case .empty(let file): return Catalogue.text("sheet.empty", ["file": file])
        case .workbook(let file): return Catalogue.text("sheet.xls", ["file": file])
        case .notAWorkbook(let file): return Catalogue.text("sheet.not_a_workbook", ["file": file])
        case .noWorksheet(let file): return Catalogue.text("sheet.no_worksheet", ["file": file])
        case .damagedWorkbook(let file, let part, let reason):
            return Catalogue.text("sheet.damaged", ["file": file, "part": part, "reason": reason])
        case .tooLarge(let file, let limit): return Catalogue.text("sheet.too_large", ["file": file, "limit": limit])
        case .textTooLarge(let file, let mib):
            return Catalogue.text("sheet.text_too_large", ["file": file, "mib": "\(mib)"])
        case .utf16(let file): return Catalogue.text("sheet.utf16", ["file": file])
        case .notText(let file): return Catalogue.text("sheet.not_text", ["file": file])
        case .unterminatedQuote(let file, let line):
            return Catalogue.text("sheet.unterminated_quote", ["file": file, "line": "\(line)"])
        case .duplicateHeader(let file, let header):
            return Catalogue.text("sheet.duplicate_header", ["file": file, "header": header])
        case .valueWithoutHeader(let file, let line, let column):
            return Catalogue.text(
                "sheet.value_without_header", ["file": file, "line": "\(line)", "column": "\(column)"])
        case .cannotWrite(let file, let reason):
            return Catalogue.text("sheet.cannot_write", ["file": file, "reason": reason])
        }
    }
}
