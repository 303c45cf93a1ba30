import Foundation
import HearthCore

/// Printing for people and for scripts: one JSON document for `--json`, aligned text otherwise.
enum Output {
    /// Prints one `--json` document; characters that could act on a terminal are `\u` escapes.
    ///
    /// Every document is a `Codable` value of its own (Sources/hearth/Output), so its keys and
    /// value types are written down once and a script (or a test) can decode it back.
    static func json<Document: Encodable>(_ document: Document) throws {
        Swift.print(ScreenText.jsonEscaped(try jsonText(document)))
    }

    /// A `--json` document that is an array, built one element at a time: each element is
    /// encoded as ``json(_:)`` would encode it inside the array (the canonical form has no
    /// whitespace, so the array is `[`, the elements joined by `,`, and `]`) and only its text
    /// is kept. A county's `member list --json` held every element's document and its JSON tree
    /// at once: 2.2 GB for 380,000 members. Printed whole at the end, so a list that fails part
    /// way prints nothing.
    struct JSONArray {
        private var text: [UInt8] = [UInt8(ascii: "[")]
        private var empty = true

        mutating func append<Element: Encodable>(_ element: Element) throws {
            if !empty { text.append(UInt8(ascii: ",")) }
            empty = false
            // Written straight into the array's bytes, and escaped for the screen only when a
            // byte that can begin an unsafe character is there (a name with a dash or an
            // ellipsis); made into a text and back for every element, a county's list spent a
            // tenth of its time copying.
            let start = text.count
            try JSONTreeEncoder.encode(element).write(into: &text)
            if text[start...].contains(where: ScreenText.mayBeginUnsafe) {
                let escaped = ScreenText.jsonEscaped(String(decoding: text[start...], as: UTF8.self))
                text.replaceSubrange(start..., with: escaped.utf8)
            }
        }

        /// The whole array, as ``json(_:)`` would print the elements given together.
        var document: String {
            var whole = text
            whole.append(UInt8(ascii: "]"))
            return String(decoding: whole, as: UTF8.self)
        }

        /// Prints the array as one line, as ``json(_:)`` prints a document, from its bytes
        /// (a county's log is hundreds of megabytes: not copied into a string first).
        func print() {
            // What was printed before goes first; then the bytes straight to standard output.
            fflush(nil)
            guard Output.writeOut(text) else { return }
            _ = Output.writeOut([UInt8(ascii: "]"), UInt8(ascii: "\n")])
        }
    }

    /// Writes bytes straight to standard output (the caller flushes what `print` buffered
    /// first, so it comes before them); false when the reader has gone (a closed pipe,
    /// `| head`), which ends the output as it ends `print`'s.
    static func writeOut(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    /// The document's text in Hearth's canonical form (HearthCore's ``JSON/canonicalText``, the
    /// form ops are signed in): keys sorted by their UTF-8 bytes, no whitespace, integers in plain
    /// decimal, `/` unescaped, only the escapes JSON requires. Encoded into the JSON tree directly
    /// (``JSONTreeEncoder``); documents were once encoded by `JSONEncoder` and parsed back into the
    /// tree, because its `.sortedKeys` order is not that one on every platform (Darwin compares
    /// keys numerically and ignoring case) and it writes `\b` and `\f` where the canonical form
    /// writes `\u0008` and `\u000c`. Either way every document is byte for byte what scripts
    /// have always read. Documents hold integers only (money in fen or as yuan text), which is all
    /// the canonical form accepts.
    static func jsonText<Document: Encodable>(_ document: Document) throws -> String {
        try JSONTreeEncoder.encode(document).canonicalText
    }

    /// `2026-11-25 15:04:05 +08:00` for the screen: China Standard Time, said so, so a time read
    /// off a screen elsewhere (or by a machine set to UTC) is not taken for local.
    static func time(_ millis: Int64) -> String {
        documentTime(millis) + " +08:00"
    }

    /// `2026-11-25 15:04:05` in China Standard Time, from Unix milliseconds: the form `--json`
    /// documents have always carried (scripts read it), documented as China Standard Time.
    static func documentTime(_ millis: Int64) -> String {
        let date = DomainCalendar.date(atMillis: millis)
        let seconds = ((millis + DomainCalendar.offsetMillis) % 86_400_000 + 86_400_000) % 86_400_000 / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// Columns padded to their widest cell (counting CJK characters as two columns).
    ///
    /// The lines are written as bytes, a megabyte at a time, each cell escaped once and only
    /// when a byte that can begin an unsafe character is in it: a county's `member list`
    /// (380,001 lines) spent a seventh of its time here, copying every cell into an escaped
    /// table, each line into a text and escaping it again on its way out.
    static func table(_ header: [String], _ rows: [[String]]) {
        // Escaped before measuring, so an escaped cell keeps its column aligned.
        func shown(_ cell: String) -> String {
            cell.utf8.contains(where: ScreenText.mayBeginUnsafe) ? ScreenText.escaped(cell) : cell
        }
        var widths = Array(repeating: 0, count: header.count)
        func measure(_ row: [String]) {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], width(shown(cell))) }
        }
        measure(header)
        for row in rows { measure(row) }
        fflush(nil)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        func line(_ row: [String]) -> Bool {
            for (index, cell) in row.enumerated() {
                let text = shown(cell)
                out.append(contentsOf: text.utf8)
                if index < row.count - 1 {
                    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: widths[index] - width(text) + 2))
                }
            }
            out.append(UInt8(ascii: "\n"))
            guard out.count >= 1 << 20 else { return true }
            defer { out.removeAll(keepingCapacity: true) }
            return writeOut(out)
        }
        guard line(header) else { return }
        for row in rows { guard line(row) else { return } }
        _ = writeOut(out)
    }

    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.value <= 0xFFEF ? 2 : 1) }
    }
}
