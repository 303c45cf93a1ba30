import Foundation
import HearthText

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The XML parts of a workbook the reader needs, each read by Foundation's streaming parser.
///
/// Every part is refused before parsing when it declares a document type: no spreadsheet
/// program writes one, and a DTD is how entity-expansion bombs (billion laughs) and external
/// entities get in.
enum XLSXParts {
    /// Why a part could not be read.
    struct Failure: Error {
        /// The catalogue key of the reason, and its values.
        let key: String
        let values: [String: String]

        init(_ key: String, _ values: [String: String] = [:]) {
            self.key = key
            self.values = values
        }

        /// The reason, in the process's language.
        var reason: String { Catalogue.text(key, values) }
        /// The part holds more than the limits allow (strings, cells or text): the workbook is too large.
        var tooMany: Bool { key.hasPrefix("xlsx.more_than") }
        /// The key of the failure to inflate more than the budget, which the caller words with
        /// its limit.
        static let overBudget = "xlsx.unpacks_to"
    }

    /// Runs `delegate` over the part `stream` inflates. A part that declares a document type
    /// is refused by the stream before the parser reads the declaration.
    static func parse(_ stream: ZipPartStream, with delegate: some XMLParserDelegate & PartReader) throws(Failure) {
        // From a stream, which the parser reads a chunk at a time: handed a part as one piece of
        // data, libxml2 refuses any part past 10 MB (its lookup limit) as not well-formed, and a
        // county's worksheet, or its shared strings, are larger (a roster of 90,000 rows saved by
        // LibreOffice: 38 MB of worksheet XML).
        let parser = XMLParser(stream: stream)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = delegate
        // On Linux parse() can return true after a fatal error: parserError is what tells. And
        // it can return true when the stream stopped early: the stream's own failure tells that.
        let parsed = parser.parse()
        if let failure = delegate.failure { throw failure }
        switch stream.failure {
        case .doctype: throw Failure("xlsx.doctype")
        case .damaged: throw Failure("xlsx.cannot_unpack")
        case .overBudget: throw Failure(Failure.overBudget)
        case nil: break
        }
        guard parsed, parser.parserError == nil else {
            let line = "\(parser.lineNumber)"
            guard let code = parser.parserError.map({ "\(($0 as NSError).code)" }) else {
                throw Failure("xlsx.not_xml", ["line": line])
            }
            throw Failure("xlsx.not_xml_code", ["code": code, "line": line])
        }
    }

    /// Text with the spreadsheet's `_xHHHH_` escapes (characters XML cannot hold, such as
    /// control characters, and `_x005F_` for a literal underscore before one) decoded.
    static func unescaped(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "_", index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_",
                let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 2)...(index + 5)])), radix: 16),
                let scalar = Unicode.Scalar(value)
            {
                out.append(scalar)
                index += 7
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }

    /// `r:id` whatever the prefix a program chose for the relationships namespace.
    static func relationshipID(_ attributes: [String: String]) -> String? {
        attributes.first { $0.key == "id" || $0.key.hasSuffix(":id") }?.value
    }

    /// The local part of a name, `x:row` → `row` (some programs prefix the main namespace).
    static func local(_ name: String) -> Substring {
        name.lastIndex(of: ":").map { name[name.index(after: $0)...] } ?? name[...]
    }
}

/// A part's delegate, which may stop the parse with its own reason.
protocol PartReader: AnyObject {
    var failure: XLSXParts.Failure? { get }
}

/// `_rels/.rels` and `xl/_rels/workbook.xml.rels`: relationship id → target.
final class XLSXRelationships: NSObject, XMLParserDelegate, PartReader {
    var targets: [String: String] = [:]
    /// The target of the first relationship of a type ending in `/officeDocument`.
    var officeDocument: String?
    var failure: XLSXParts.Failure?

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        guard XLSXParts.local(name) == "Relationship", let id = attributes["Id"], let target = attributes["Target"]
        else { return }
        targets[id] = target
        if officeDocument == nil, attributes["Type"]?.hasSuffix("/officeDocument") == true { officeDocument = target }
    }
}

/// `xl/workbook.xml`: the first worksheet's relationship id, and the date system.
final class XLSXWorkbookPart: NSObject, XMLParserDelegate, PartReader {
    var firstSheet: String?
    var date1904 = false
    var failure: XLSXParts.Failure?

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        switch XLSXParts.local(name) {
        case "workbookPr": date1904 = ["1", "true"].contains(attributes["date1904"] ?? "")
        case "sheet" where firstSheet == nil: firstSheet = XLSXParts.relationshipID(attributes)
        default: break
        }
    }
}

/// `xl/sharedStrings.xml`: the text of each string, rich-text runs joined, phonetic guides
/// (`rPh`) left out, kept packed in one buffer (a county's roster has millions of them, most
/// named by one cell).
final class XLSXSharedStrings: NSObject, XMLParserDelegate, PartReader {
    private(set) var strings = XLSXStringTable()
    var failure: XLSXParts.Failure?
    let limit: Int
    let textLimit: Int
    private var current = ""
    private var inText = false
    private var phonetic = 0

    init(limit: Int, textLimit: Int) {
        self.limit = limit
        self.textLimit = textLimit
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        switch XLSXParts.local(name) {
        case "si": current = ""
        case "t": inText = phonetic == 0
        case "rPh": phonetic += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard inText else { return }
        current += string
        // One string of gigabytes (a few megabytes deflated) is refused as it grows, not once whole.
        if strings.byteCount + current.utf8.count > textLimit {
            failure = XLSXParts.Failure("xlsx.more_than_text", ["mib": "\(textLimit >> 20)"])
            parser.abortParsing()
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch XLSXParts.local(name) {
        case "si":
            strings.append(XLSXParts.unescaped(current))
            if strings.count > limit {
                failure = XLSXParts.Failure("xlsx.more_than_strings", ["limit": "\(limit)"])
                parser.abortParsing()
            } else if strings.byteCount > textLimit {
                failure = XLSXParts.Failure("xlsx.more_than_text", ["mib": "\(textLimit >> 20)"])
                parser.abortParsing()
            }
        case "t": inText = false
        case "rPh": phonetic -= 1
        default: break
        }
    }
}

/// Strings packed end to end in one buffer of UTF-8, found by where each ends: a string costs
/// its bytes and four more, where a `String` in an array costs 16 bytes and, past 15 bytes of
/// UTF-8 (an ID number is 18), an allocation of its own.
struct XLSXStringTable {
    private var bytes: [UInt8] = []
    private var ends: [UInt32] = []

    var count: Int { ends.count }
    var byteCount: Int { bytes.count }

    mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { bytes.append(contentsOf: $0) }
        // The text limit (far below 4 GiB) stops the table long before an end overflows.
        ends.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// The string at `index`, or nil past the end.
    subscript(index: Int) -> String? {
        guard ends.indices.contains(index) else { return nil }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        return bytes.withUnsafeBufferPointer { String(decoding: $0[start..<Int(ends[index])], as: UTF8.self) }
    }
}

/// `xl/styles.xml`: for each cell style (`s` of a cell), how its number format shows numbers.
final class XLSXStyles: NSObject, XMLParserDelegate, PartReader {
    var kinds: [XLSXNumberText.Kind] = []
    var failure: XLSXParts.Failure?
    private var custom: [Int: XLSXNumberText.Kind] = [:]
    private var inCellFormats = false

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        switch XLSXParts.local(name) {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] {
                custom[id] = XLSXNumberText.custom(code)
            }
        case "cellXfs": inCellFormats = true
        case "xf" where inCellFormats:
            let id = attributes["numFmtId"].flatMap(Int.init) ?? 0
            kinds.append(custom[id] ?? XLSXNumberText.builtIn(id))
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if XLSXParts.local(name) == "cellXfs" { inCellFormats = false }
    }
}

/// A worksheet: each row's cells as text, by row number, within the cell limit.
final class XLSXSheet: NSObject, XMLParserDelegate, PartReader {
    /// Told each row with at least one cell, in sheet order: its row number and its cells from
    /// column A. When it throws, the parse stops and ``refused`` holds the error.
    var each: ((CSVRecord) throws(SpreadsheetError) -> Void)?
    /// What ``each`` threw.
    var refused: SpreadsheetError?
    var failure: XLSXParts.Failure?

    let shared: XLSXStringTable
    let styles: [XLSXNumberText.Kind]
    let date1904: Bool
    let cellLimit: Int
    /// The most bytes of cell text kept, with what the shared strings already hold counted in.
    let textLimit: Int
    private var cellsKept = 0
    private var textKept: Int

    private var rowNumber = 0
    /// The row's cells so far, by column, in the order read (a column read twice: the later wins).
    private var rowCells: [(column: Int, text: String)] = []
    private var column = 0
    private var type = "n"
    private var style = 0
    private var value = ""
    private var inlineText = ""
    private var reading: Reading = .nothing
    private var phonetic = 0

    private enum Reading { case nothing, value, inline }

    /// Excel's largest sheet: 1 048 576 rows of 16 384 columns (A to XFD).
    static let maxRow = 1_048_576
    static let maxColumn = 16_384

    init(shared: XLSXStringTable, styles: [XLSXNumberText.Kind], date1904: Bool, cellLimit: Int, textLimit: Int) {
        self.shared = shared
        self.styles = styles
        self.date1904 = date1904
        self.cellLimit = cellLimit
        self.textLimit = textLimit
        self.textKept = shared.byteCount
    }

    func fail(_ parser: XMLParser, _ key: String, _ values: [String: String] = [:]) {
        if failure == nil { failure = XLSXParts.Failure(key, values) }
        parser.abortParsing()
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        switch XLSXParts.local(name) {
        case "row":
            let number = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
            guard number > rowNumber, number <= Self.maxRow else {
                return fail(parser, "xlsx.row_order", ["row": attributes["r"] ?? "?"])
            }
            rowNumber = number
            rowCells.removeAll(keepingCapacity: true)
            column = 0
        case "c":
            if let reference = attributes["r"] {
                guard let parsed = Self.column(of: reference) else {
                    return fail(parser, "xlsx.bad_reference", ["row": "\(rowNumber)"])
                }
                column = parsed
            } else {
                column += 1
            }
            type = attributes["t"] ?? "n"
            style = attributes["s"].flatMap(Int.init) ?? 0
            value = ""
            inlineText = ""
        case "v": reading = .value
        case "is": reading = .inline
        case "rPh": phonetic += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        switch reading {
        case .value: value += string
        case .inline where phonetic == 0: inlineText += string
        default: return
        }
        // One cell of gigabytes (a few megabytes deflated) is refused as it grows, not once whole.
        if textKept + value.utf8.count + inlineText.utf8.count > textLimit {
            failure = XLSXParts.Failure("xlsx.more_than_text", ["mib": "\(textLimit >> 20)"])
            parser.abortParsing()
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch XLSXParts.local(name) {
        case "v": reading = .nothing
        case "is": reading = .nothing
        case "rPh": phonetic -= 1
        case "c":
            guard column >= 1, column <= Self.maxColumn else { return fail(parser, "xlsx.beyond_xfd") }
            let text: String
            switch type {
            case "s":
                guard let index = Int(Self.trimmed(value)), let string = shared[index] else {
                    return fail(parser, "xlsx.no_shared_string")
                }
                text = string
            case "inlineStr": text = XLSXParts.unescaped(inlineText)
            case "str", "e": text = value
            case "b": text = Self.trimmed(value) == "1" ? "TRUE" : "FALSE"
            case "d": text = value.split(separator: "T").first.map(String.init) ?? value
            default:
                let trimmed = Self.trimmed(value)
                if trimmed.isEmpty {
                    text = ""
                } else if let number = Double(trimmed) {
                    let kind = styles.indices.contains(style) ? styles[style] : .general
                    text = XLSXNumberText.text(number, kind: kind, date1904: date1904)
                } else {
                    return fail(parser, "xlsx.not_a_number")
                }
            }
            guard !text.isEmpty else { return }
            textKept += text.utf8.count
            guard textKept <= textLimit else {
                failure = XLSXParts.Failure("xlsx.more_than_text", ["mib": "\(textLimit >> 20)"])
                parser.abortParsing()
                return
            }
            rowCells.append((column, text))
            // A row naming the same cell again and again is held to the cell limit as it is read.
            guard cellsKept + rowCells.count <= cellLimit else {
                failure = XLSXParts.Failure("xlsx.more_than_cells", ["limit": "\(cellLimit)"])
                parser.abortParsing()
                return
            }
        case "row":
            guard let width = rowCells.lazy.map(\.column).max() else { return }
            cellsKept += width
            guard cellsKept <= cellLimit else {
                failure = XLSXParts.Failure("xlsx.more_than_cells", ["limit": "\(cellLimit)"])
                parser.abortParsing()
                return
            }
            var cells = [String](repeating: "", count: width)
            for (column, text) in rowCells { cells[column - 1] = text }
            do throws(SpreadsheetError) { try each?(CSVRecord(line: rowNumber, fields: cells)) } catch {
                refused = error
                parser.abortParsing()
            }
        default: break
        }
    }

    /// `text` without the blanks at its ends that Foundation's `.whitespaces` trims (space, tab
    /// and the other horizontal spaces). A value is nearly always ASCII digits, trimmed here
    /// without Foundation's bridged trimming, which was a tenth of reading a worksheet.
    static func trimmed(_ text: String) -> String {
        var text = text
        // What is left once trimmed, in bytes; nil when the text is not all ASCII.
        let kept: Range<Int>? = text.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return start..<end
        }
        guard let kept else { return text.trimmingCharacters(in: .whitespaces) }
        if kept.count == text.utf8.count { return text }
        return text.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[kept]), as: UTF8.self) }
    }

    /// The column of a cell reference: `B7` → 2, `AA1` → 27; nil when it is not one.
    static func column(of reference: String) -> Int? {
        var column = 0
        var letters = 0
        var digits = 0
        for byte in reference.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z") where digits == 0:
                letters += 1
                guard letters <= 3 else { return nil }
                column = column * 26 + Int(byte - UInt8(ascii: "A") + 1)
            case UInt8(ascii: "0")...UInt8(ascii: "9") where letters > 0: digits += 1
            default: return nil
            }
        }
        return letters > 0 && digits > 0 ? column : nil
    }
}
