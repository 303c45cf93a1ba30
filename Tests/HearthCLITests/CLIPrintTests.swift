import Foundation
import HearthCore
import Testing
import HearthTestSupport

/// Headless Chromium, which renders the pages in these tests. Without it they are skipped, unless
/// HEARTH_CI is set: then they run and fail for want of it.
enum Chromium {
    static let path = "/usr/bin/chromium"
    static var required: Bool {
        FileManager.default.isExecutableFile(atPath: path) || ProcessInfo.processInfo.environment["HEARTH_CI"] != nil
    }

    /// Runs headless Chromium on a page with `arguments` (`--print-to-pdf=…`, `--screenshot=…`).
    static func render(_ page: String, _ arguments: [String]) async throws {
        try await offPool { try renderBlocking(page, arguments) }
    }

    private static func renderBlocking(_ page: String, _ arguments: [String]) throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments =
            ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"] + arguments
            + [URL(fileURLWithPath: page).absoluteString]
        process.standardOutput = .null
        process.standardError = .null
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLITestFailure("chromium \(arguments) exited with \(process.terminationStatus)")
        }
    }
}

@Suite("The roll and the report as a page to print and sign, rendered by headless Chromium")
struct CLIPrintTests {
    /// A generated county (about 190 households) whose townships and villages are named, but one.
    static func county() async throws -> (cli: CLIRunner, hub: String, unnamed: String) {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        try await cli.ok([
            "hub", "generate", "--profile", "small-county", "--out", out, "--seed", "7", "--scale", "0.01", "--month",
            "2026-11",
        ])
        let hub = out + "/hub.db"
        let report = try #require(
            try await cli.ok([
                "hub", "report", "--db", hub, "--month", "2026-11", "--by", "village", "--format", "json",
            ])
            .json)
        let villages = (report["area_totals"]?.arrayValue ?? []).compactMap { $0["area"]?.stringValue }
        #expect(villages.count >= 3)
        var rows = ["区划代码,名称"]
        for (index, village) in villages.dropFirst().enumerated() { rows.append("\(village),第\(index + 1)村") }
        for township in Set(villages.map { String($0.prefix(9)) }).sorted() {
            rows.append("\(township),\(township.suffix(3))镇")
        }
        try rows.joined(separator: "\n").write(toFile: cli.directory + "/names.csv", atomically: true, encoding: .utf8)
        try await cli.ok(["hub", "division", "import", "--db", hub, cli.directory + "/names.csv"])
        return (cli, hub, villages[0])
    }

    /// The money cells of the page's subtotal and total rows: (level, area) to (field, text).
    static func totals(_ html: String) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for row in html.components(separatedBy: "<tr class=\"").dropFirst() {
            let kind = row.prefix { $0 != "\"" }
            guard kind == "subtotal" || kind == "total", let end = row.range(of: "</tr>") else { continue }
            let body = String(row[..<end.lowerBound])
            var key = "合计"
            if let level = attribute("data-level", body), let area = attribute("data-area", body) {
                key = "\(level) \(area)"
            }
            var cells: [String: String] = [:]
            for cell in body.components(separatedBy: "data-field=\"").dropFirst() {
                let field = String(cell.prefix { $0 != "\"" })
                let value = cell.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }
                cells[field] = String(value)
            }
            out[key] = cells
        }
        return out
    }

    static func attribute(_ name: String, _ text: String) -> String? {
        guard let start = text.range(of: name + "=\"") else { return nil }
        return String(text[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test(
        "hub payroll --format print: A4 pages with the county's title, 小计 and 合计 equal to the CSV roll's, signed lines, owner-only, audited",
        .enabled(if: Chromium.required))
    func printedRoll() async throws {
        let (cli, hub, unnamed) = try await Self.county()
        let csv = cli.directory + "/roll-2026-11.csv"
        try await cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-11", "--out", csv])
        let page = cli.directory + "/roll-2026-11.html"
        let printed = try await cli.ok([
            "hub", "payroll", "--db", hub, "--month", "2026-11", "--format", "print", "--out", page,
        ])
        #expect(printed.firstLine == page)
        let mode = try FileManager.default.attributesOfItem(atPath: page)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the page holds ID and card numbers: its owner's only")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let hubName = try #require(try await cli.ok(["status", "--db", hub, "--json"]).json?["name"]?.stringValue)
        #expect(html.contains("<h1>\(hubName) 2026年11月 "), "the county's title and the month")
        for words in [
            "发放花名册</h1>", "<thead>", "制表人", "审核人", "负责人", "日期", "size: A4 landscape",
            "counter(page)", "counter(pages)", "第 ", " 页 共 ", "乡镇(街道)：", "村(社区)小计", "乡镇(街道)小计",
        ] {
            #expect(html.contains(words), "\(words)")
        }
        #expect(html.contains("村(社区)：\(unnamed)　") || html.contains("村(社区)：\(unnamed)<"), "no name: the code alone")
        #expect(html.contains("第1村"), "names beside codes")

        // Every 小计 and the 合计 equal the CSV roll's (its subtotals file and its 合计 line).
        let summary = try String(contentsOfFile: cli.directory + "/roll-2026-11-summary.csv", encoding: .utf8)
            .components(separatedBy: "\r\n").dropFirst(2).map { $0.components(separatedBy: ",") }.filter {
                $0.count > 8
            }
        let totals = Self.totals(html)
        var compared = 0
        for row in summary {
            let level = row[0] == "村(社区)小计" ? "village" : row[0] == "乡镇(街道)小计" ? "township" : "合计"
            let key = level == "合计" ? "合计" : "\(level) \(row[1])"
            guard Int(row[3]) ?? 0 > 0 else {
                #expect(totals[key] == nil, "an area with no line to the bank has no 小计 on the page: \(key)")
                continue
            }
            let cells = try #require(totals[key], "\(key) is on the page")
            #expect(
                [cells["persons"], cells["regular"], cells["back_pay"], cells["total"]] == [
                    row[4], row[5], row[6], row[7],
                ],
                "\(key): \(cells) against \(row)")
            compared += 1
        }
        #expect(compared >= 4, "townships, villages and the county compared")
        let disbursement = try String(contentsOfFile: csv, encoding: .utf8).components(separatedBy: "\r\n")
        let grand = try #require(disbursement.last { $0.hasPrefix("合计,") }?.components(separatedBy: ","))
        #expect(totals["合计"]?["total"] == grand[grand.count - 3], "the page's 合计 is the bank file's")
        #expect(totals["合计"]?["total"] != "0.00", "a roll with money in it")
        // ID numbers as the CSV roll has them: in clear.
        let firstLine = try #require(disbursement.dropFirst(2).first?.components(separatedBy: ","))
        #expect(html.contains(firstLine[11].trimmingCharacters(in: .whitespaces)), "the payee's ID number")

        // Never over a file; recorded in the audit as the CSV roll is.
        let again = try await cli.run([
            "hub", "payroll", "--db", hub, "--month", "2026-11", "--format", "print", "--out", page,
        ])
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again.stderr)")
        let audit = try await cli.ok(["hub", "audit", "--db", hub, "--json"]).stdout
        #expect(audit.contains("payroll print") && audit.contains(page), "\(audit)")

        // Printed by Chromium: A4 landscape pages, more than one, each with the header and a page number.
        let pdf = cli.directory + "/roll.pdf"
        try await Chromium.render(page, ["--print-to-pdf=\(pdf)", "--no-pdf-header-footer"])
        let document = String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdf)), as: UTF8.self)
        #expect(document.hasPrefix("%PDF-"))
        let pages =
            document.components(separatedBy: "/Type /Page\n").count - 1
            + document.components(separatedBy: "/Type /Page ").count - 1
            + document.components(separatedBy: "/Type /Page>").count - 1
        #expect(pages >= 2, "the roll runs over several pages: \(pages)")
        let boxes = document.components(separatedBy: "/MediaBox [").dropFirst().map {
            $0.prefix { $0 != "]" }.split(separator: " ").compactMap { Double($0) }
        }
        #expect(
            !boxes.isEmpty && boxes.allSatisfy { $0.count == 4 && abs($0[2] / $0[3] - 297.0 / 210.0) < 0.01 },
            "A4 landscape: \(boxes)")

        // As an image: a page at A4 landscape's proportions (96 dpi), with text and rules on it.
        let png = cli.directory + "/roll.png"
        try await Chromium.render(page, ["--screenshot=\(png)", "--window-size=1123,794"])
        let image = try PNGImage(path: png)
        #expect(image.width == 1123 && image.height == 794)
        #expect(abs(Double(image.width) / Double(image.height) - 297.0 / 210.0) < 0.01)
        let dark = image.darkPixels
        #expect(dark > 5_000 && dark < image.width * image.height / 2, "not blank, not black: \(dark) dark pixels")
    }

    @Test(
        "hub report --format print: villages' program lines with 小计, townships' 小计 and the 合计 of the report",
        .enabled(if: Chromium.required))
    func printedReport() async throws {
        let (cli, hub, _) = try await Self.county()
        let page = cli.directory + "/report.html"
        let missing = try await cli.run(["hub", "report", "--db", hub, "--month", "2026-11", "--format", "print"])
        #expect(missing.status == 2 && missing.stderr.contains("--out"), "\(missing.stderr)")
        let printed = try await cli.ok([
            "hub", "report", "--db", hub, "--month", "2026-11", "--format", "print", "--out", page,
        ])
        #expect(printed.firstLine == page)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("2026年11月 社会救助情况统计表</h1>") && html.contains("制表人"))
        let totals = Self.totals(html)
        let byTownship = try #require(
            try await cli.ok([
                "hub", "report", "--db", hub, "--month", "2026-11", "--by", "township", "--format", "json",
            ])
            .json)
        for area in byTownship["area_totals"]?.arrayValue ?? [] {
            let code = area["area"]?.stringValue ?? ""
            let cells = try #require(totals["township \(code)"], "\(code)")
            #expect(cells["households"] == area["households"].map { "\($0.integerValue ?? -1)" })
            #expect(cells["persons"] == area["persons"].map { "\($0.integerValue ?? -1)" })
        }
        let fen = try #require(byTownship["total"]?["month_total_fen"]?.integerValue)
        #expect(totals["合计"]?["month_total"] == Money(fen: Int64(fen)).yuanText)
        #expect(totals["合计"]?["persons"] == byTownship["total"]?["persons"].map { "\($0.integerValue ?? -1)" })

        let pdf = cli.directory + "/report.pdf"
        try await Chromium.render(page, ["--print-to-pdf=\(pdf)", "--no-pdf-header-footer"])
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdf)).prefix(5), as: UTF8.self) == "%PDF-")
    }
}
