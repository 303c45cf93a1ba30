import Foundation

/// One record of a CSV file: its cells as written (unquoted, not trimmed) and the line the
/// record starts on (1 for the header).
struct CSVRecord: Sendable {
    let line: Int
    let fields: [String]
}

/// RFC 4180 CSV as Excel and other tools write it.
///
/// Quoted cells may hold commas, doubled quotes and line breaks; records end with CRLF, LF
/// or a lone CR (old Mac Excel); a final line break adds no record. A quote inside an
/// unquoted cell, or text after a closing quote, is kept as written rather than refused:
/// hand-edited files do that, and the cell's own check reports it if it matters.
enum CSVTable {
    /// The records of `text`, with the line each starts on; `file` names it in errors.
    static func parse(_ text: String, file: String) throws(SpreadsheetError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        try parse(text, file: file) { record throws(SpreadsheetError) in records.append(record) }
        return records
    }

    /// Hands `each` the records of `text` in order, as they are read: a county's roster is not
    /// held as records and as the table's rows at once.
    static func parse(
        _ text: String, file: String, each: (CSVRecord) throws(SpreadsheetError) -> Void
    ) throws(SpreadsheetError) {
        var text = text
        // In place: a native string's UTF-8 is contiguous already (a bridged one is made so).
        let parsed = text.withUTF8 { bytes in
            Result { () throws(SpreadsheetError) in try parse(bytes, file: file, each: each) }
        }
        try parsed.get()
    }

    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, each: (CSVRecord) throws(SpreadsheetError) -> Void
    ) throws(SpreadsheetError) {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var quoted = false
        var quoteLine = 1
        var index = 0
        var recordHasContent = false

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == quote {
                    if index + 1 < bytes.count, bytes[index + 1] == quote {
                        field.append(quote)
                        index += 2
                        continue
                    }
                    quoted = false
                } else if byte == cr {
                    // A line break inside a cell is kept as one LF, whichever way the file wrote it.
                    field.append(lf)
                    line += 1
                    if index + 1 < bytes.count, bytes[index + 1] == lf { index += 1 }
                } else {
                    if byte == lf { line += 1 }
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case quote where field.isEmpty:
                quoted = true
                quoteLine = line
                recordHasContent = true
            case comma:
                endField()
                recordHasContent = true
            case cr, lf:
                endField()
                try each(CSVRecord(line: recordLine, fields: fields))
                fields.removeAll(keepingCapacity: true)
                recordHasContent = false
                if byte == cr, index + 1 < bytes.count, bytes[index + 1] == lf { index += 1 }
                line += 1
                recordLine = line
            default:
                field.append(byte)
                recordHasContent = true
            }
            index += 1
        }
        if quoted { throw .unterminatedQuote(file: file, line: quoteLine) }
        if recordHasContent || !field.isEmpty {
            endField()
            try each(CSVRecord(line: recordLine, fields: fields))
        }
    }
}
