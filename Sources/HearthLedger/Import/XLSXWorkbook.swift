import Foundation
import HearthText
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the first worksheet of an Excel workbook (.xlsx, as Excel, WPS and LibreOffice save
/// it) into the records ``SpreadsheetTable`` reads from CSV, so every import reads either.
///
/// The zip is ZIPFoundation's; the XML is Foundation's streaming parser (``XLSXParts``).
/// Text cells (shared and inline strings) are read as they are; a number cell as the text the
/// spreadsheet shows for it (``XLSXNumberText``); a formula as its saved result. Each record's
/// line is the sheet's row number, the one Excel shows. What is unpacked is bounded
/// (``XLSXLimits``): a zip bomb, or a sheet of millions of cells, is refused with
/// ``SpreadsheetError/tooLarge(file:limit:)`` before it fills the memory, and a damaged zip or
/// part with its own clear error, never a crash.
///
/// ## Topics
/// - ``records(_:file:limits:)``
/// - ``isZip(_:)``
enum XLSXWorkbook {
    /// True when the bytes begin as a zip does (every .xlsx is a zip).
    static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    /// The first worksheet's non-empty rows, each with its row number.
    static func records(_ bytes: [UInt8], file: String, limits: XLSXLimits = .standard) throws(SpreadsheetError)
        -> [CSVRecord]
    {
        var records: [CSVRecord] = []
        try read(bytes, file: file, limits: limits) { record throws(SpreadsheetError) in records.append(record) }
        return records
    }

    /// Hands `each` the first worksheet's non-empty rows in order, each with its row number, as
    /// the worksheet is parsed: a county's rows are not all held as records beside the table's.
    static func read(
        _ bytes: [UInt8], file: String, limits: XLSXLimits = .standard,
        each: (CSVRecord) throws(SpreadsheetError) -> Void
    ) throws(SpreadsheetError) {
        guard bytes.count <= limits.fileBytes else {
            throw .tooLarge(file: file, limit: Catalogue.text("xlsx.file_larger", ["mib": "\(limits.fileBytes >> 20)"]))
        }
        guard isZip(bytes), let archive = try? Archive(data: Data(bytes), accessMode: .read) else {
            throw .notAWorkbook(file: file)
        }
        var reader = PartReading(archive: archive, file: file, limits: limits)

        // The workbook part, from the package's relationships (xl/workbook.xml nearly always).
        var workbookPath = "xl/workbook.xml"
        if let rels = try reader.data("_rels/.rels") {
            let relationships = XLSXRelationships()
            try reader.parse(rels, "_rels/.rels", with: relationships)
            if let target = relationships.officeDocument { workbookPath = resolve(target, from: "") }
        }
        guard let workbookData = try reader.data(workbookPath) else { throw .noWorksheet(file: file) }
        let workbook = XLSXWorkbookPart()
        try reader.parse(workbookData, workbookPath, with: workbook)
        let directory = (workbookPath as NSString).deletingLastPathComponent
        let relsPath = directory + "/_rels/" + (workbookPath as NSString).lastPathComponent + ".rels"
        var sheetPath: String?
        if let rels = try reader.data(relsPath), let first = workbook.firstSheet {
            let relationships = XLSXRelationships()
            try reader.parse(rels, relsPath, with: relationships)
            sheetPath = relationships.targets[first].map { resolve($0, from: directory) }
        }
        guard let sheetPath, let sheetData = try reader.data(sheetPath) else { throw .noWorksheet(file: file) }

        var shared: [String] = []
        let sharedPath = directory + "/sharedStrings.xml"
        if let data = try reader.data(sharedPath) {
            let strings = XLSXSharedStrings(limit: limits.cells)
            try reader.parse(data, sharedPath, with: strings)
            shared = strings.strings
        }
        var styles: [XLSXNumberText.Kind] = []
        let stylesPath = directory + "/styles.xml"
        if let data = try reader.data(stylesPath) {
            let parsed = XLSXStyles()
            try reader.parse(data, stylesPath, with: parsed)
            styles = parsed.kinds
        }
        let sheet = XLSXSheet(shared: shared, styles: styles, date1904: workbook.date1904, cellLimit: limits.cells)
        try withoutActuallyEscaping(each) { each throws(SpreadsheetError) in
            sheet.each = each
            defer { sheet.each = nil }
            do throws(SpreadsheetError) { try reader.parse(sheetData, sheetPath, with: sheet) } catch {
                // The parse was stopped because `each` refused a row: that is the error to tell.
                if let refused = sheet.refused { throw refused }
                throw error
            }
        }
    }

    /// A relationship's target as a path in the zip: relative to the part's folder, or from the
    /// package's root when it begins with `/`.
    static func resolve(_ target: String, from directory: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = directory.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." {
                _ = parts.popLast()
            } else if piece != "." {
                parts.append(String(piece))
            }
        }
        return parts.joined(separator: "/")
    }
}

/// The parts of one archive, unpacked within the limits: the bytes unpacked so far are
/// counted as they are inflated, whatever sizes the zip declares.
private struct PartReading {
    let archive: Archive
    let file: String
    let limits: XLSXLimits
    var unpacked = 0

    private struct OverLimit: Error {}

    /// The part at `path`, or nil when the zip has none.
    mutating func data(_ path: String) throws(SpreadsheetError) -> Data? {
        guard let entry = archive[path] ?? archive.first(where: { $0.path.lowercased() == path.lowercased() }) else {
            return nil
        }
        guard entry.type == .file else { return nil }
        let budget = limits.unpackedBytes - unpacked
        guard entry.uncompressedSize <= UInt64(max(budget, 0)) else { throw tooLarge }
        var data = Data()
        var count = 0
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                count += chunk.count
                guard count <= budget else { throw OverLimit() }
                data.append(chunk)
            }
        } catch is OverLimit {
            throw tooLarge
        } catch {
            throw .damagedWorkbook(file: file, part: path, reason: Catalogue.text("xlsx.cannot_unpack"))
        }
        unpacked += count
        return data
    }

    var tooLarge: SpreadsheetError {
        .tooLarge(file: file, limit: Catalogue.text("xlsx.unpacks_to", ["mib": "\(limits.unpackedBytes >> 20)"]))
    }

    func parse(_ data: Data, _ path: String, with delegate: some XMLParserDelegate & PartReader)
        throws(SpreadsheetError)
    {
        do { try XLSXParts.parse(data, with: delegate) } catch {
            if error.tooMany {
                throw .tooLarge(file: file, limit: Catalogue.text("xlsx.holds", ["what": error.reason]))
            }
            throw .damagedWorkbook(file: file, part: path, reason: error.reason)
        }
    }
}
