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
        case .noSuchFile(let file): return "\(file): no such file"
        case .cannotRead(let file, let reason): return "\(file): cannot be read: \(reason)"
        case .empty(let file): return "\(file): the file is empty; it needs a header row and one row per line"
        case .workbook(let file):
            return "\(file): this is an old Excel workbook (.xls); in Excel or WPS use 另存为 (Save As) → "
                + "Excel 工作簿 (.xlsx) or CSV UTF-8 (逗号分隔), then import that file"
        case .notAWorkbook(let file):
            return "\(file): this is not a readable .xlsx workbook (it is damaged, or another kind of file renamed); "
                + "open it in Excel or WPS and use 另存为 (Save As) → Excel 工作簿 (.xlsx) or CSV UTF-8 (逗号分隔)"
        case .noWorksheet(let file):
            return "\(file): the workbook has no worksheet to read; the roster must be on its first worksheet"
        case .damagedWorkbook(let file, let part, let reason):
            return "\(file): the workbook is damaged (\(part): \(reason)); open it in Excel or WPS and save it again "
                + "as .xlsx, or save it as CSV UTF-8 (逗号分隔)"
        case .tooLarge(let file, let limit):
            return "\(file): the workbook is too large to read (\(limit)); nothing was read. Import a roster of one "
                + "county at a time, or check that this is the right file"
        case .utf16(let file):
            return "\(file): the file is UTF-16 (\"Unicode text\"); save it as CSV UTF-8 (逗号分隔) or CSV (逗号分隔)"
        case .notText(let file):
            return "\(file): the file is neither UTF-8 nor GB18030 text; save it from Excel as "
                + "CSV UTF-8 (逗号分隔) or CSV (逗号分隔)"
        case .unterminatedQuote(let file, let line):
            return
                "\(file): line \(line): a quoted cell is never closed (a \" is missing); nothing after it could be read"
        case .duplicateHeader(let file, let header):
            return "\(file): two columns are headed \(header); each column needs its own header"
        case .valueWithoutHeader(let file, let line, let column):
            return
                "\(file): line \(line): column \(column) has a value but no header; add a header or delete the column"
        case .cannotWrite(let file, let reason): return "\(file): cannot be written: \(reason)"
        }
    }
}
