import Foundation
import HearthText

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the first worksheet of an Excel workbook (.xlsx, as Excel, WPS and LibreOffice save
/// it) into the records ``SpreadsheetTable`` reads from CSV, so every import reads either.
///
/// The zip's directory is read here (``ZipDirectory``) and each part is inflated a window at a
/// time as Foundation's streaming parser reads it (``ZipPartStream``, ``XLSXParts``): a
/// county's worksheet is never held whole.
/// Text cells (shared and inline strings) are read as they are; a number cell as the text the
/// spreadsheet shows for it (``XLSXNumberText``); a formula as its saved result. Each record's
/// line is the sheet's row number, the one Excel shows. What is unpacked is bounded
/// (``XLSXLimits``): a zip bomb, a sheet of millions of cells or of too much text, is refused with
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
        guard isZip(bytes), let directory = try? ZipDirectory(bytes) else { throw .notAWorkbook(file: file) }
        var reader = PartReading(bytes: bytes, directory: directory, file: file, limits: limits)

        // The workbook part, from the package's relationships (xl/workbook.xml nearly always).
        var workbookPath = "xl/workbook.xml"
        let packageRels = XLSXRelationships()
        if try reader.parse("_rels/.rels", with: packageRels, small: true), let target = packageRels.officeDocument {
            workbookPath = resolve(target, from: "")
        }
        let workbook = XLSXWorkbookPart()
        guard try reader.parse(workbookPath, with: workbook, small: true) else { throw .noWorksheet(file: file) }
        let folder = (workbookPath as NSString).deletingLastPathComponent
        let relsPath = folder + "/_rels/" + (workbookPath as NSString).lastPathComponent + ".rels"
        let relationships = XLSXRelationships()
        guard try reader.parse(relsPath, with: relationships, small: true), let first = workbook.firstSheet,
            let target = relationships.targets[first]
        else { throw .noWorksheet(file: file) }
        let sheetPath = resolve(target, from: folder)
        guard directory.entry(sheetPath) != nil else { throw .noWorksheet(file: file) }

        let shared = XLSXSharedStrings(limit: limits.cells, textLimit: limits.textBytes)
        try reader.parse(folder + "/sharedStrings.xml", with: shared)
        let styles = XLSXStyles()
        try reader.parse(folder + "/styles.xml", with: styles, small: true)
        let sheet = XLSXSheet(
            shared: shared.strings, styles: styles.kinds, date1904: workbook.date1904, cellLimit: limits.cells,
            textLimit: limits.textBytes)
        try withoutActuallyEscaping(each) { each throws(SpreadsheetError) in
            sheet.each = each
            defer { sheet.each = nil }
            do throws(SpreadsheetError) { try reader.parse(sheetPath, with: sheet) } catch {
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

/// The parts of one zip, each inflated as it is parsed, within the limits: the bytes unpacked
/// so far are counted as they are inflated, whatever sizes the zip declares.
private struct PartReading {
    let bytes: [UInt8]
    let directory: ZipDirectory
    let file: String
    let limits: XLSXLimits
    var unpacked = 0

    /// The most a part other than the worksheet and its shared strings unpacks to (the
    /// relationships, the workbook, the styles): a few kilobytes in any workbook, and what they
    /// hold is kept whole, so a part of a gigabyte of styles is refused long before its budget.
    static let smallPartBytes = 16 << 20

    /// Parses the part at `path` with `delegate`; false when the zip has no such part. A `small`
    /// part is held to ``smallPartBytes``.
    @discardableResult
    mutating func parse(
        _ path: String, with delegate: some XMLParserDelegate & PartReader, small: Bool = false
    ) throws(SpreadsheetError) -> Bool {
        guard let found = directory.entry(path) else { return false }
        let left = limits.unpackedBytes - unpacked
        let budget = small ? min(left, Self.smallPartBytes) : left
        let tooLarge = budget < left ? partTooLarge(path) : self.tooLarge
        guard found.size <= budget else { throw tooLarge }
        let stream: ZipPartStream
        do {
            stream = try ZipPartStream(ZipDirectory.locate(found, in: bytes), in: bytes, budget: budget)
        } catch {
            throw .damagedWorkbook(file: file, part: path, reason: Catalogue.text("xlsx.cannot_unpack"))
        }
        defer { unpacked += stream.produced }
        do { try XLSXParts.parse(stream, with: delegate) } catch {
            if error.key == XLSXParts.Failure.overBudget { throw tooLarge }
            if error.tooMany {
                throw .tooLarge(file: file, limit: Catalogue.text("xlsx.holds", ["what": error.reason]))
            }
            throw .damagedWorkbook(file: file, part: path, reason: error.reason)
        }
        return true
    }

    func partTooLarge(_ path: String) -> SpreadsheetError {
        .tooLarge(
            file: file,
            limit: Catalogue.text("xlsx.part_unpacks_to", ["part": path, "mib": "\(Self.smallPartBytes >> 20)"]))
    }

    var tooLarge: SpreadsheetError {
        .tooLarge(file: file, limit: Catalogue.text("xlsx.unpacks_to", ["mib": "\(limits.unpackedBytes >> 20)"]))
    }
}
