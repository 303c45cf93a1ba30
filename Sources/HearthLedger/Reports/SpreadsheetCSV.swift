/// CSV as Hearth writes it for Excel: the payment roll, the bureau's report, the rows an import
/// skipped. Every CSV writer builds its text here, so every cell is neutralised the same way.
///
/// A cell that begins with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and WPS: a
/// member named `=HYPERLINK("http://x","y")` would become a live link in the roll the bureau
/// opens, and other formulas can reach other cells or, in old spreadsheets, run commands. Data
/// typed on any village laptop reaches these files, so, as OWASP recommends for CSV injection,
/// such a cell (also when tabs, line breaks or blanks come first, which spreadsheets may strip
/// before they look) is written with a leading `'`: the spreadsheet shows it as text, and
/// Hearth's own reader drops the `'` again (``SpreadsheetTable``), so a skipped-rows file still
/// imports as it is. Numbers stay numbers: a cell that is wholly a decimal number (`-560.00`, a
/// recovery in the roll) is left alone, and so is the tab that keeps an ID or card number from
/// being turned into a number (what follows it is no formula).
///
/// ## Topics
/// - ``cell(_:)``
/// - ``neutralised(_:)``
/// - ``document(_:)``
public enum SpreadsheetCSV {
    /// A whole file: a byte-order mark (so Excel reads UTF-8), CRLF line ends, every cell
    /// through ``cell(_:)``.
    public static func document(_ rows: [[String]]) -> String {
        String(decoding: bytes(rows), as: UTF8.self)
    }

    /// ``document(_:)`` as the bytes a file holds.
    public static func bytes(_ rows: [[String]]) -> [UInt8] {
        var text = Text()
        // Each row read in place (an array handed over is retained, not copied, but the
        // loop's copy of each row would still cost a retain and a release).
        rows.withUnsafeBufferPointer { rows in
            for row in rows.indices {
                rows[row].withUnsafeBufferPointer { cells in
                    for cell in cells { text.cell(cell) }
                }
                text.endRow()
            }
        }
        if rows.isEmpty { text.endRow() }
        return text.bytes
    }

    /// A document built cell by cell into its bytes: a county's roll is a million cells, and
    /// building them as rows of strings first, then a string of the rows, allocated each of
    /// them three times over. Begins with the byte-order mark; every row ends with CRLF.
    public struct Text: Sendable {
        public private(set) var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        private var cellsInRow = 0

        public init() {}

        /// A document's later part, to be written after another's rows: no byte-order mark.
        public static var continuation: Text {
            var text = Text()
            text.bytes = []
            return text
        }

        /// The next cell of the row, neutralised and quoted as ``cell(_:)`` writes it.
        public mutating func cell(_ value: String) {
            if cellsInRow > 0 { bytes.append(0x2C) }
            cellsInRow += 1
            if SpreadsheetCSV.isPlain(value) {
                bytes.append(contentsOf: value.utf8)
            } else {
                bytes.append(contentsOf: SpreadsheetCSV.cell(value).utf8)
            }
        }

        /// Cells in a row, each as ``cell(_:)``.
        public mutating func cells(_ values: [String]) {
            for value in values { cell(value) }
        }

        /// Ends the row (an empty row is a line of its own).
        public mutating func endRow() {
            bytes.append(0x0D)
            bytes.append(0x0A)
            cellsInRow = 0
        }

        /// The document as text.
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Whether ``cell(_:)`` leaves the value as it is: a first character (past the tab that
    /// keeps an ID or card number text: a roll has two such cells a line) that is neither
    /// blank nor a formula's start, and no comma, quote or line break. Nearly every cell of a
    /// roll: numbers, codes, names in Chinese.
    static func isPlain(_ value: String) -> Bool {
        let bytes = value.utf8
        let tab = bytes.first == 0x09
        guard let first = tab ? bytes.dropFirst().first : bytes.first else { return false }
        if first < 0x80 {
            guard !asciiLeadingOrFormula[Int(first)] else { return false }
        } else {
            guard let scalar = tab ? value.unicodeScalars.dropFirst().first : value.unicodeScalars.first,
                !leading.contains(scalar), !formulaStarts.contains(scalar)
            else { return false }
        }
        return !bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
    }

    /// One cell, neutralised and then quoted when it holds a comma, a quote or a line break.
    public static func cell(_ text: String) -> String {
        let safe = neutralised(text)
        // Bytes, not scalars: these four are ASCII, and no byte of a longer UTF-8 sequence is.
        guard safe.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            return safe
        }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The text with a leading `'` when a spreadsheet would read it as a formula.
    public static func neutralised(_ text: String) -> String {
        // An ASCII first character that is neither blank nor a formula's start: nothing to do
        // (what nearly every cell of a roll is, a number, a code, a name in Chinese aside).
        if let first = text.utf8.first, first < 0x80, !asciiLeadingOrFormula[Int(first)] { return text }
        let rest = text.unicodeScalars.drop(while: leading.contains)
        guard let first = rest.first, formulaStarts.contains(first),
            !isNumber(String(String.UnicodeScalarView(rest)))
        else { return text }
        return "'" + text
    }

    /// What spreadsheets may strip before they look for a formula (OWASP names tab and carriage
    /// return): a cell is judged by what follows them, so `\t=1+1` is neutralised and the `\t`
    /// before an ID number is left as it is.
    static let leading: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n", "\u{3000}"]

    /// The first characters of a formula: = + - @ (the OWASP list), and their full-width forms
    /// (defensive: Chinese input methods type them, and some spreadsheets fold them).
    static let formulaStarts: Set<Unicode.Scalar> = [
        "=", "+", "-", "@", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}",
    ]

    /// For each ASCII byte, whether it is in ``leading`` or ``formulaStarts``.
    static let asciiLeadingOrFormula: [Bool] = (0..<128).map { byte in
        leading.union(formulaStarts).contains(Unicode.Scalar(UInt8(byte)))
    }

    /// A decimal number and nothing else: `-560.00`, `+3`, `12`.
    static func isNumber(_ text: String) -> Bool {
        let digits: ClosedRange<Unicode.Scalar> = "0"..."9"
        var scalars = Array(text.unicodeScalars)[...]
        if scalars.first == "-" || scalars.first == "+" { scalars = scalars.dropFirst() }
        let parts = scalars.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(digits.contains) }
    }
}
