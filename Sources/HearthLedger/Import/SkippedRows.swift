import Foundation
import HearthText

/// A row an import left out, and why (every problem of the row, in one sentence).
public struct SkippedRow: Sendable {
    public let row: SpreadsheetRow
    public let reason: String

    public init(row: SpreadsheetRow, reason: String) {
        self.row = row
        self.reason = reason
    }
}

extension SpreadsheetTable {
    /// The header of the column the skipped-rows file adds.
    public static let reasonHeader = "错误原因"

    /// Writes the rows an import skipped to a new file beside the input, e.g.
    /// `roster.skipped.csv` (then `roster.skipped-2.csv`, … : an existing file is never
    /// overwritten), and returns its path.
    ///
    /// The file is for the person who fixes the rows and imports them again: the original
    /// header plus a 错误原因 (reason) column (reused when the input already has one, so a
    /// fixed skipped file imports as it is), each row as the input had it, UTF-8 with a BOM
    /// and CRLF so Excel opens it as is, and long digit strings behind a tab so Excel keeps
    /// them as text. It holds ID and bank card numbers, so it is readable by its owner only
    /// (mode 0600).
    public func writeSkipped(_ skipped: [SkippedRow]) throws(SpreadsheetError) -> String {
        var header = headerValues
        let reasonColumn =
            header.firstIndex { Self.normalizedHeader(Self.clean($0)) == Self.normalizedHeader(Self.reasonHeader) }
            ?? {
                header.append(Self.reasonHeader); return header.count - 1
            }()
        var rows = [header]
        for item in skipped {
            var values = item.row.values.map(Self.keptAsText)
            if values.count < header.count { values += Array(repeating: "", count: header.count - values.count) }
            values[reasonColumn] = item.reason
            rows.append(values)
        }
        // The rows came from outside; a cell Excel would run as a formula is neutralised.
        let bytes = Array(SpreadsheetCSV.document(rows).utf8)
        let base = Self.skippedBase(for: file)
        for attempt in 1...999 {
            let path = base + (attempt == 1 ? "" : "-\(attempt)") + ".csv"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                throw .cannotWrite(file: path, reason: String(cString: strerror(errno)))
            }
            defer { close(fd) }
            let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written == bytes.count, fsync(fd) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw .cannotWrite(file: path, reason: reason)
            }
            return path
        }
        throw .cannotWrite(file: base + ".csv", reason: Catalogue.text("sheet.too_many_skipped"))
    }

    /// `dir/roster.csv` → `dir/roster.skipped` (the caller adds a number and `.csv`).
    static func skippedBase(for input: String) -> String {
        (input as NSString).deletingPathExtension + ".skipped"
    }

    /// A cell of digits Excel would turn into a number (an ID or card number, a code with
    /// leading zeros) gets a leading tab, which keeps it text and which the reader strips. A
    /// `="…"` wrapper around such digits (the other way people keep them text) becomes the tab:
    /// as a formula it would be neutralised, and show as one.
    static func keptAsText(_ raw: String) -> String {
        var text = raw.trimmingCharacters(in: .whitespaces)
        let wrapped = text.hasPrefix("=\"") && text.hasSuffix("\"") && text.count >= 3
        if wrapped { text = String(text.dropFirst(2).dropLast()) }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            wrapped || text.utf8.count >= 11 || text.hasPrefix("0")
        else { return raw }
        return "\t" + text
    }
}
