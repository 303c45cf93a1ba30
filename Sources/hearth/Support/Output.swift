import HearthCore
import HearthLedger
import HearthStore

/// Printing for people and for scripts: one JSON document for `--json`, aligned text otherwise.
enum Output {
    /// Prints one JSON document; characters that could act on a terminal are `\u` escapes.
    static func json(_ document: JSON) {
        Swift.print(ScreenText.jsonEscaped(document.canonicalText))
    }

    /// `2026-11-25 15:04:05` in China Standard Time, from Unix milliseconds.
    static func time(_ millis: Int64) -> String {
        let date = DomainCalendar.date(atMillis: millis)
        let seconds = ((millis + DomainCalendar.offsetMillis) % 86_400_000 + 86_400_000) % 86_400_000 / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// Columns padded to their widest cell (counting CJK characters as two columns).
    static func table(_ header: [String], _ rows: [[String]]) {
        // Escaped before measuring, so an escaped cell keeps its column aligned.
        let all = ([header] + rows).map { $0.map(ScreenText.escaped) }
        var widths = Array(repeating: 0, count: header.count)
        for row in all { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], width(cell)) } }
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - width(cell) + 2) }
            }
            print(line)
        }
    }

    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.value <= 0xFFEF ? 2 : 1) }
    }
}

extension RecordView {
    /// The record as one JSON object: display values, conflicts and competing values.
    func json(authors: [String: String]) -> JSON {
        var values: [String: JSON] = [:]
        var competing: [String: JSON] = [:]
        for field in fields {
            values[field.name] = field.display.isEmpty ? .null : .string(field.display)
            if !field.candidates.isEmpty {
                competing[field.name] = .array(
                    field.candidates.map { candidate in
                        .object([
                            "value": .string(candidate.display), "dot": .string(candidate.dot),
                            "author": authors[candidate.dot].map(JSON.string) ?? .null,
                            "at": .string(Output.time(candidate.hlcMillis)), "rank": .string(candidate.rank),
                        ])
                    })
            }
        }
        return .object([
            "id": .string(id.value), "type": .string(id.type.rawValue), "fields": .object(values),
            "conflicts": .array(conflicts.map(JSON.string)), "concurrent": .object(competing),
        ])
    }
}
