import Foundation
import HearthText

/// One data row of a spreadsheet: the line it starts on, and its cells by header.
///
/// The cells are packed into one buffer a row (``PackedCells``: the cleaned cells, and the
/// cells as written where they differ) beside one index of the headers that every row of a
/// table shares. A dictionary a row cost a county's roster (360,000 rows) about 450 MB, two
/// arrays of strings a row about 270 MB.
public struct SpreadsheetRow: Sendable {
    /// The file line the row starts on (the header is line 1). It is the row number Excel
    /// shows unless a cell above holds a line break.
    public let line: Int
    /// The position of each header's cell among the cleaned cells, shared by the table's rows.
    let columns: [String: Int]
    /// The cleaned cells in the order of ``columns``' positions, then the cells as written.
    private var packed: PackedCells

    /// A row of `cleaned` cells (in the order of `columns`' positions) and the cells as the
    /// file wrote them, in column order; `position(of:)` names a written column's cleaned cell.
    init(line: Int, columns: [String: Int], cleaned: [String], values: [String], position: (Int) -> Int?) {
        self.line = line
        self.columns = columns
        packed = PackedCells(cleaned: cleaned, written: values, position: position)
    }

    /// The cells exactly as the file has them, in column order, for writing the row back
    /// (``SpreadsheetTable/writeSkipped(_:)``).
    public var values: [String] { packed.writtenCells }

    /// Cleaned cells by header (as ``SpreadsheetTable/headers`` spells it); a column the row
    /// leaves out is "". Cleaned: surrounding blanks trimmed, and a leading `'`, tab or an
    /// Excel `="…"` wrapper (what people add to keep Excel from turning digits into numbers)
    /// removed.
    public var cells: [String: String] {
        let cleaned = packed.cleanedCells
        return columns.mapValues { cleaned[$0] }
    }

    /// The cleaned cell under `header`, "" when there is none.
    public subscript(header: String) -> String { columns[header].map { packed.cleaned($0) } ?? "" }

    /// The row with the cell under `header` set to `value`, cleaned and as written (in the
    /// file's column `column`, when it has one).
    func filling(_ header: String, with value: String, column: Int?) -> SpreadsheetRow {
        var row = self
        row.packed = packed.filling(position: columns[header], column: column, with: value)
        return row
    }
}

/// A CSV spreadsheet as counties keep them: a header row, then one row per line.
///
/// This is the reader every spreadsheet import shares (the roster, cross-check lists):
/// it decodes the bytes (``SpreadsheetText``), parses RFC 4180 CSV with line numbers, cleans
/// cells, skips blank rows and refuses what cannot be read reliably (duplicate headers, a
/// value in a column without a header). What the columns mean is the caller's business.
///
/// ## Topics
/// - ``read(path:)``
/// - ``init(bytes:file:)``
/// - ``column(named:)``
/// - ``writeSkipped(_:)``
public struct SpreadsheetTable: Sendable {
    /// The path the table was read from (or the name it was given).
    public let file: String
    public let encoding: SpreadsheetEncoding
    /// The headers, cleaned, in column order; columns with a blank header (and no values)
    /// are left out.
    public let headers: [String]
    /// The header row exactly as the file has it.
    public let headerValues: [String]
    /// The data rows, blank rows left out, in file order.
    public let rows: [SpreadsheetRow]

    /// Reads and parses the file at `path`.
    public static func read(path: String) throws(SpreadsheetError) -> SpreadsheetTable {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .noSuchFile(file: path)
        }
        guard !isDirectory.boolValue else { throw .cannotRead(file: path, reason: Catalogue.text("sheet.directory")) }
        // A workbook too large to read is refused before it is read into memory.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size > XLSXLimits.standard.fileBytes {
            let head = FileHandle(forReadingAtPath: path).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: 4)
            }
            if path.lowercased().hasSuffix(".xlsx") || XLSXWorkbook.isZip(Array(head ?? Data())) {
                throw .tooLarge(
                    file: path,
                    limit: Catalogue.text("xlsx.file_larger", ["mib": "\(XLSXLimits.standard.fileBytes >> 20)"]))
            }
        }
        // Nor is CSV text past what an .xlsx may hold: a county's roster is some 35 MB of CSV,
        // and a file of gigabytes (the wrong file) would be read into memory before anything
        // could be said about it.
        if size > XLSXLimits.standard.textBytes {
            throw .textTooLarge(file: path, mib: XLSXLimits.standard.textBytes >> 20)
        }
        return try SpreadsheetTable(bytes: contents(of: path), file: path)
    }

    /// The file's bytes, read straight into the array the parser takes (read as `Data` and
    /// then copied, a county's roster was held twice while it was read).
    static func contents(of path: String) throws(SpreadsheetError) -> [UInt8] {
        func failure() -> SpreadsheetError { .cannotRead(file: path, reason: String(cString: strerror(errno))) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw failure() }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure() }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Parses a file's bytes, CSV text or an .xlsx workbook (its first worksheet,
    /// ``XLSXWorkbook``); `file` names it in errors and is where skipped rows go.
    public init(bytes: [UInt8], file: String) throws(SpreadsheetError) {
        if XLSXWorkbook.isZip(bytes) || file.lowercased().hasSuffix(".xlsx") {
            try self.init(file: file, encoding: .xlsx) { add throws(SpreadsheetError) in
                try XLSXWorkbook.read(bytes, file: file, each: add)
            }
            return
        }
        let decoded = try SpreadsheetText.decode(bytes, file: file)
        try self.init(file: file, encoding: decoded.encoding) { add throws(SpreadsheetError) in
            try CSVTable.parse(decoded.text, file: file, each: add)
        }
    }

    /// The table of a file's records, each with the line (or worksheet row) it starts on.
    init(records all: [CSVRecord], file: String, encoding: SpreadsheetEncoding) throws(SpreadsheetError) {
        try self.init(file: file, encoding: encoding) { add throws(SpreadsheetError) in
            for record in all { try add(record) }
        }
    }

    /// The table of the records `read` hands its argument, one at a time and in order, so that
    /// a file's records need not all be held beside its rows.
    init(
        file: String, encoding: SpreadsheetEncoding,
        read: ((CSVRecord) throws(SpreadsheetError) -> Void) throws(SpreadsheetError) -> Void
    ) throws(SpreadsheetError) {
        var builder = TableBuilder(file: file)
        try read { record throws(SpreadsheetError) in try builder.add(record) }
        guard let header = builder.header else { throw .empty(file: file) }
        self.file = file
        self.encoding = encoding
        self.headers = builder.names.filter { !$0.isEmpty }
        self.headerValues = header.fields
        self.rows = builder.rows
    }

    /// The header, as this file spells it, that matches one of `names` once both are
    /// normalized (``normalizedHeader(_:)``); nil when the file has none of them.
    public func column(named names: [String]) -> String? {
        let wanted = Set(names.map(Self.normalizedHeader))
        return headers.first { wanted.contains(Self.normalizedHeader($0)) }
    }

    /// A header reduced for matching: full-width forms folded (（ → (), blanks and
    /// underscores removed, lower-cased. "村（社区）代码" and "村(社区) 代码" match; so do
    /// "ID_Number" and "id number".
    public static func normalizedHeader(_ header: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in header.unicodeScalars {
            var folded = scalar
            if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                folded = ascii
            }
            if folded.properties.isWhitespace || folded == "_" || folded == "\u{3000}" || folded == "\u{FEFF}" {
                continue
            }
            scalars.append(folded)
        }
        return String(scalars).lowercased()
    }

    /// A cell without surrounding blanks and without the marks people add to keep Excel
    /// from reading digits as a number: a leading `'` or tab, or a `="…"` formula wrapper.
    ///
    /// Every cell of every row passes through here (a county's roster: 4.7 million), so the
    /// blanks are trimmed over the cell's scalars, and a cell with nothing to trim is returned
    /// as it is. Foundation's `trimmingCharacters(in:)`, which built its character set and
    /// bridged the text on every call, took a third of a roster's dry run.
    static func clean(_ raw: String) -> String {
        var text = trimmed(raw, marks: true)
        // The `'` first: Hearth's own files put it before what a spreadsheet would run (``SpreadsheetCSV``).
        if text.hasPrefix("'") { text = String(text.dropFirst()) }
        if text.hasPrefix("=\""), text.hasSuffix("\""), text.count >= 3 {
            text = String(text.dropFirst(2).dropLast())
        }
        return trimmed(text, marks: false)
    }

    /// `text` without the blanks and line breaks at either end (what Foundation's
    /// `whitespacesAndNewlines` holds, the zero-width space among them) and, when `marks`,
    /// without the byte-order mark spreadsheet programs leave there.
    static func trimmed(_ text: String, marks: Bool) -> String {
        func blank(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
                return true
            case 0xFEFF: return marks
            default: return false
            }
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last, blank(first) || blank(last) else { return text }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, blank(scalars[start]) { start = scalars.index(after: start) }
        while end > start, blank(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}

/// A table's header and rows, built from its records as they are read: blank records before
/// the header skipped, the header's names checked, each later record cleaned into a row.
private struct TableBuilder {
    let file: String
    /// The header record, once one is read.
    var header: CSVRecord?
    /// The header's cleaned names, in column order ("" for a column without one).
    var names: [String] = []
    /// Each named column's place among a row's cleaned cells.
    var columns: [String: Int] = [:]
    /// The same by the file's column number: nil for a column without a header. Looked up for
    /// every cell, so by index rather than by hashing the header's name.
    var positions: [Int?] = []
    var rows: [SpreadsheetRow] = []

    init(file: String) {
        self.file = file
    }

    mutating func add(_ record: CSVRecord) throws(SpreadsheetError) {
        guard header != nil else {
            if record.fields.allSatisfy({ SpreadsheetTable.clean($0).isEmpty }) { return }
            header = record
            names = record.fields.map(SpreadsheetTable.clean)
            var seen: Set<String> = []
            for name in names where !name.isEmpty {
                guard seen.insert(SpreadsheetTable.normalizedHeader(name)).inserted else {
                    throw .duplicateHeader(file: file, header: name)
                }
            }
            let named = names.indices.filter { !names[$0].isEmpty }
            columns = Dictionary(
                named.enumerated().map { (names[$0.element], $0.offset) }, uniquingKeysWith: { first, _ in first })
            positions = names.map { $0.isEmpty ? nil : columns[$0] }
            return
        }
        var cleaned = Array(repeating: "", count: columns.count)
        var blank = true
        for (column, raw) in record.fields.enumerated() {
            let value = SpreadsheetTable.clean(raw)
            guard !value.isEmpty else { continue }
            blank = false
            guard column < positions.count, let position = positions[column] else {
                throw .valueWithoutHeader(file: file, line: record.line, column: column + 1)
            }
            cleaned[position] = value
        }
        guard !blank else { return }
        let positions = self.positions
        rows.append(
            SpreadsheetRow(line: record.line, columns: columns, cleaned: cleaned, values: record.fields) {
                $0 < positions.count ? positions[$0] : nil
            })
    }
}
