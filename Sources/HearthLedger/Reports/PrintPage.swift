import HearthCore

/// One HTML page to print and sign, as the bureau files a roll or a report: A4 landscape with
/// print margins, the table's header repeated on every printed page, page numbers
/// (`第 N 页 共 M 页`) from CSS paged-media counters in the page's bottom margin, the title
/// with the county and the month, and at the foot the lines for 制表人, 审核人, 负责人 and 日期.
///
/// Why HTML and not PDF: any browser prints it (Chromium, which the county's desk already
/// needs, lays out the page counters), a clerk can look at it before printing, and no PDF
/// library enters the build. Every text from the records is escaped, and characters that could
/// make a value print as something else (controls, bidirectional overrides) are shown as
/// `\u{…}` escapes, as on the screen.
///
/// ## Topics
/// - ``RollPrintPage``
/// - ``ReportPrintPage``
public enum PrintPage {
    /// A whole page: the title, a line of facts under it, the table (`<table>` with a `<thead>`),
    /// the notes after it and the signature lines.
    static func document(title: String, facts: [String], table: String, notes: [String]) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <title>\(escape(title))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <h1>\(escape(title))</h1>
            <div class="facts">\(facts.map { "<span>\(escape($0))</span>" }.joined())</div>

            """
        html += table
        html += "<div class=\"notes\">" + notes.map { "<p>\(escape($0))</p>" }.joined() + "</div>\n"
        html += """
            <div class="sign">
            <span>制表人：</span><span>审核人：</span><span>负责人：</span><span>日期：　　　年　　月　　日</span>
            </div>
            </body>
            </html>

            """
        return html
    }

    /// The print styles: A4 landscape, margins, page numbers in the bottom margin, the table's
    /// header on every page (`thead` as a header group) and no row split across two pages.
    static let style = """
        @page {
            size: A4 landscape;
            margin: 14mm 10mm 16mm 10mm;
            @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; }
        }
        html { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", SimSun, sans-serif;
            font-size: 9.5pt; color: #000; background: #fff; }
        body { margin: 0; }
        @media screen { body { width: 277mm; margin: 8mm auto; } }
        h1 { text-align: center; font-size: 16pt; margin: 0 0 3mm; letter-spacing: 0.05em; }
        .facts { display: flex; justify-content: space-between; gap: 6mm; margin-bottom: 2mm; }
        table { width: 100%; border-collapse: collapse; }
        thead { display: table-header-group; }
        th, td { border: 0.6pt solid #000; padding: 0.5mm 1.2mm; line-height: 1.25; }
        th { font-weight: bold; background: #eee; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.digits { white-space: nowrap; font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
        tr.group { break-after: avoid; page-break-after: avoid; }
        tr.group td { font-weight: bold; background: #f0f0f0; }
        tr.subtotal td { font-weight: bold; background: #fafafa; }
        tr.total td { font-weight: bold; border-top: 1.6pt solid #000; }
        * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .notes { margin-top: 3mm; }
        .notes p { margin: 0.8mm 0; }
        .sign { display: flex; justify-content: space-between; margin-top: 10mm; break-inside: avoid; }
        .sign span { min-width: 50mm; }
        """

    /// Text as HTML shows it: markup characters escaped, unsafe characters as `\u{…}`.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if DisplaySafety.isUnsafe(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// One table cell; `kind` is its class (`num` for money and counts, `digits` for ID and card
    /// numbers), `field` a `data-field` naming what a money cell holds.
    static func cell(_ text: String, _ kind: String? = nil, field: String? = nil, span: Int = 1) -> String {
        var attributes = ""
        if let kind { attributes += " class=\"\(kind)\"" }
        if let field { attributes += " data-field=\"\(field)\"" }
        if span > 1 { attributes += " colspan=\"\(span)\"" }
        return "<td\(attributes)>\(escape(text))</td>"
    }

    /// A header row of the table, in a `<thead>` so it repeats on every printed page.
    static func head(_ headers: [String]) -> String {
        "<table>\n<thead><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
    }

    static let tail = "</tbody>\n</table>\n"

    /// `2026年11月`.
    static func chinese(_ month: Month) -> String { "\(month.year)年\(month.month)月" }
}
