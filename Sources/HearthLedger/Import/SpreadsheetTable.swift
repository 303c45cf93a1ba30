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
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .cannotRead(file: path, reason: (error as NSError).localizedDescription)
        }
        return try SpreadsheetTable(bytes: Array(data), file: path)
    }

    /// Parses a file's bytes, CSV text or an .xlsx workbook (its first worksheet,
    /// ``XLSXWorkbook``); `file` names it in errors and is where skipped rows go.
    public init(bytes: [UInt8], file: String) throws(SpreadsheetError) {
        if XLSXWorkbook.isZip(bytes) || file.lowercased().hasSuffix(".xlsx") {
            try self.init(records: XLSXWorkbook.records(bytes, file: file), file: file, encoding: .xlsx)
            return
        }
        let decoded = try SpreadsheetText.decode(bytes, file: file)
        try self.init(records: CSVTable.parse(decoded.text, file: file), file: file, encoding: decoded.encoding)
    }

    /// The table of a file's records, each with the line (or worksheet row) it starts on.
    init(records all: [CSVRecord], file: String, encoding: SpreadsheetEncoding) throws(SpreadsheetError) {
        var records = all[...]
        while let first = records.first, first.fields.allSatisfy({ Self.clean($0).isEmpty }) { records.removeFirst() }
        guard let header = records.popFirst() else { throw .empty(file: file) }
        let names = header.fields.map(Self.clean)
        var seen: Set<String> = []
        for name in names where !name.isEmpty {
            guard seen.insert(Self.normalizedHeader(name)).inserted else {
                throw .duplicateHeader(file: file, header: name)
            }
        }
        // Each named column's place among a row's cleaned cells.
        let named = names.indices.filter { !names[$0].isEmpty }
        let columns = Dictionary(
            named.enumerated().map { (names[$0.element], $0.offset) }, uniquingKeysWith: { first, _ in first })
        var rows: [SpreadsheetRow] = []
        rows.reserveCapacity(records.count)
        for record in records {
            var cleaned = Array(repeating: "", count: named.count)
            var blank = true
            for (column, raw) in record.fields.enumerated() {
                let value = Self.clean(raw)
                guard !value.isEmpty else { continue }
                blank = false
                guard column < names.count, !names[column].isEmpty, let position = columns[names[column]] else {
                    throw .valueWithoutHeader(file: file, line: record.line, column: column + 1)
                }
                cleaned[position] = value
            }
            guard !blank else { continue }
            rows.append(
                SpreadsheetRow(line: record.line, columns: columns, cleaned: cleaned, values: record.fields) {
                    $0 < names.count && !names[$0].isEmpty ? columns[names[$0]] : nil
                })
        }
        self.file = file
        self.encoding = encoding
        self.headers = names.filter { !$0.isEmpty }
        self.headerValues = header.fields
        self.rows = rows
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
    static func clean(_ raw: String) -> String {
        var text = raw.trimmingCharacters(
            in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}\u{200B}")))
        // The `'` first: Hearth's own files put it before what a spreadsheet would run (``SpreadsheetCSV``).
        if text.hasPrefix("'") { text = String(text.dropFirst()) }
        if text.hasPrefix("=\""), text.hasSuffix("\""), text.count >= 3 {
            text = String(text.dropFirst(2).dropLast())
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
