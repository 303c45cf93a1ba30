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
    /// An Excel workbook (.xlsx or .xls) rather than CSV text.
    case workbook(file: String)
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
            return "\(file): this is an Excel workbook, not CSV; in Excel use 另存为 (Save As) → "
                + "CSV UTF-8 (逗号分隔) or CSV (逗号分隔), then import that file"
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
