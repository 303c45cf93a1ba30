import Foundation
import HearthCore
import HearthLedger
import HearthLedgerPostgres
import HearthTestPostgres
import Testing

/// Where a CLI test keeps its hub: the generated file, or a PostgreSQL database it was moved to
/// with `hub migrate`.
enum CLIStore: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL"
    var description: String { rawValue }

    /// The arguments that name the hub generated at `directory` for every `hearth hub` command:
    /// `--db` for the file; for PostgreSQL the file is first moved to a fresh database of the
    /// tests' server (`hub migrate`) and put out of reach, so no command can read it instead.
    func place(generatedAt directory: String, _ cli: CLIRunner) async throws -> [String] {
        let hub = directory + "/hub.db"
        switch self {
        case .sqlite: return ["--db", hub]
        case .postgres:
            let location = try await PostgresServer.shared().freshDatabase().description
            _ = try await cli.ok(["hub", "migrate", "--from", hub, "--to", location])
            try FileManager.default.moveItem(atPath: hub, toPath: hub + ".moved")
            return ["--store", location, "--key-file", hub + ".key"]
        }
    }
}

@Suite("What the bureau produces, end to end on a generated county")
struct CLICountyTests {
    private func total(_ result: CLIRunner.Result) -> String { result.json?["total_yuan"]?.stringValue ?? "?" }

    /// The payment lines of a roll written with `--out <base>.csv`: the bank's file and the lines
    /// listed apart for want of a card, each line as header → cell (the 合计 line left out).
    static func rollLines(_ base: String) throws -> [[String: String]] {
        var out: [[String: String]] = []
        for file in [base + ".csv", base + "-no-card.csv"] {
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\r\n").map {
                CLISpreadsheetTests.cells(String($0))
            }
            guard lines.count >= 2 else { throw CLITestFailure("\(file) has no header") }
            for cells in lines.dropFirst(2) where cells.first != "合计" {
                out.append(Dictionary(zip(lines[1], cells), uniquingKeysWith: { first, _ in first }))
            }
        }
        return out
    }

    @Test(
        "generate, report by township, a raise, a death list with leads, the roll and the recovery report",
        arguments: CLIStore.allCases)
    func bureauDay(_ store: CLIStore) async throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/city"
        _ = try await cli.ok([
            "hub", "generate", "--profile", "city", "--out", out, "--seed", "1", "--scale", "0.01", "--month",
            "2026-11",
        ])
        let place = try await store.place(generatedAt: out, cli)

        let report = try await cli.ok(["hub", "report"] + place + ["--month", "2026-11", "--by", "township"])
        for heading in ["地区", "救助项目", "户数", "人数", "城市低保", "农村低保", "合计"] {
            #expect(report.stdout.contains(heading), "the report shows \(heading)")
        }
        let areas = report.stdout.split(separator: "\n").compactMap { line -> String? in
            line.split(separator: " ").first.map(String.init)
        }
        let townships = Set(areas.filter { $0.count == 9 && $0.allSatisfy(\.isNumber) })
        #expect(townships.count == 16, "one line group per township of the city profile")

        // A raise from December: November's roll is untouched; December's rural dibao, the standard
        // less the household's income (补差), rises with it.
        #expect(try await cli.ok(["hub", "standard", "list"] + place + ["--json"]).json?.arrayValue?.count == 11)
        let novemberBefore = total(
            try await cli.ok(
                [
                    "hub", "payroll",
                ] + place + [
                    "--month", "2026-11", "--out", cli.directory + "/n1.csv", "--json",
                ]))
        let decemberBefore = try await cli.ok(
            [
                "hub", "payroll",
            ] + place + [
                "--month", "2026-12", "--out", cli.directory + "/d1.csv", "--json",
            ])
        let raised = try await cli.ok(
            [
                "hub", "standard", "set",
            ] + place + [
                "--program", "农村低保", "--from", "2026-12", "--amount", "600",
            ])
        #expect(raised.firstLine.hasPrefix("S-"))
        // The hub made ops of its own, and has no one to push them to: none is "not yet synced".
        // (`status` reads a replica's file: the hub's, here, when it is kept in one.)
        if store == .sqlite {
            let hubStatus = try await cli.ok(["status"] + place)
            #expect(!hubStatus.stdout.contains("not yet synced"))
            let hubDocument = try #require(try await cli.ok(["status"] + place + ["--json"]).json)
            #expect((hubDocument["own_ops"]?.integerValue ?? 0) > 0)
            #expect(hubDocument["unsynced_ops"]?.integerValue == 0)
        }
        #expect(
            total(
                try await cli.ok(
                    [
                        "hub", "payroll",
                    ] + place + [
                        "--month", "2026-11", "--out", cli.directory + "/n2.csv", "--json",
                    ])) == novemberBefore)
        let december = try await cli.ok(
            [
                "hub", "payroll",
            ] + place + [
                "--month", "2026-12", "--out", cli.directory + "/d2.csv", "--json",
            ])
        #expect(total(december) != total(decemberBefore))
        // One line per household for dibao (to the bank, or listed apart where the household has no
        // card). Dibao pays the standard less the household's income per person (补差): the raise of
        // 40 yuan reaches every person it pays for, line by line.
        let decemberLines = try Self.rollLines(cli.directory + "/d2")
        let novemberLines = try Self.rollLines(cli.directory + "/n2")
        func rural(_ lines: [[String: String]]) -> [String: (fen: Int64, persons: Int64)] {
            var out: [String: (fen: Int64, persons: Int64)] = [:]
            for line in lines where line["救助项目"] == "农村低保" {
                let fen = (try? Money.parse(yuan: line["正常发放(元)"] ?? "", field: "amount").fen) ?? -1
                out[line["户编号"] ?? ""] = (fen, line["享受人数"].flatMap { Int64($0) } ?? 0)
            }
            return out
        }
        let ruralDecember = rural(decemberLines)
        let ruralNovember = rural(novemberLines)
        #expect(!ruralDecember.isEmpty)
        #expect(Set(ruralDecember.keys) == Set(ruralNovember.keys))
        #expect(
            ruralDecember.allSatisfy { household, line in
                line.fen - (ruralNovember[household]?.fen ?? 0) == 4_000 * line.persons
                    && line.fen < 60_000 * line.persons
            })

        // A death list: two payees on the roll, a stranger, and a row Excel mangled.
        let payees = decemberLines.compactMap { $0["领款人身份证号"]?.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        let first = try #require(payees.first)
        let second = try #require(payees.last)
        #expect(first.count == 18 && second.count == 18 && first != second)
        let stranger = "43010119300101001" + String(IDNumber.checkDigit(of: "43010119300101001")!)
        let list = cli.directory + "/deaths.csv"
        let text =
            [
                "姓名,身份证号,死亡日期,来源", "甲,\(first),2026-10-03,殡葬管理所", "乙,\(second),2026/11/20,公安户籍注销",
                "丙,\(stranger),2026-09-01,殡葬管理所", "丁,4.21281E+17,2026-09-01,殡葬管理所",
            ].joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: list))
        let refused = try await cli.run(["hub", "crosscheck", "import"] + place + ["--source", "death", list])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("line 5, 身份证号"))
        #expect(!refused.stderr.contains(first) && !refused.stdout.contains(first))
        let imported = try await cli.ok(
            [
                "hub", "crosscheck", "import",
            ] + place + [
                "--source", "death", list, "--skip-invalid",
            ])
        #expect(imported.firstLine == "2")
        #expect(!imported.stdout.contains(first) && !imported.stderr.contains(first))
        #expect(FileManager.default.fileExists(atPath: cli.directory + "/deaths.skipped.csv"))
        // The skipped rows hold ID numbers in clear: the export is in the hub's audit trail.
        let audited = try #require(try await cli.ok(["hub", "audit"] + place + ["--json"]).json?.arrayValue)
        #expect(
            audited.contains {
                $0["kind"]?.stringValue == "export"
                    && $0["record"]?.stringValue == cli.directory + "/deaths.skipped.csv"
                    && $0["field"]?.stringValue == "skipped rows" && $0["by"]?.stringValue == "w-test"
            })
        #expect(
            try await cli.ok(["hub", "crosscheck", "import"] + place + ["--source", "death", list, "--skip-invalid"])
                .firstLine == "0")
        let leads = try #require(
            try await cli.ok(["hub", "leads"] + place + ["--status", "open", "--json"]).json?.arrayValue)
        #expect(leads.count == 2)
        #expect(leads.allSatisfy { !($0["detail"]?.stringValue ?? "").contains(first) })

        // The December roll no longer pays them; confirming one lead records the death.
        let held = try await cli.ok(
            [
                "hub", "payroll",
            ] + place + [
                "--month", "2026-12", "--out", cli.directory + "/d3.csv", "--json",
            ])
        let suspended = Set(leads.flatMap { $0["suspended"]?.arrayValue ?? [] }.compactMap(\.stringValue))
        #expect(suspended.count >= 2)
        let paidNow = Set(
            try Self.rollLines(cli.directory + "/d3").flatMap {
                ($0["救助关系编号"] ?? "").split(separator: " ").map(String.init)
            })
        #expect(!paidNow.isEmpty && paidNow.isDisjoint(with: suspended), "a suspended enrollment is still paid")
        #expect((held.json?["left_out"]?["suspended"]?.integerValue ?? 0) >= 2)
        let lead = try #require(leads.first { ($0["reported_date"]?.stringValue) == "2026-10-03" }?["id"]?.stringValue)
        // Confirmed as `lead confirm` does on the hub's file, or as the desk does on a server's hub.
        let ended: String
        switch store {
        case .sqlite: ended = try await cli.ok(["lead", "confirm", lead, "--note", "火化证明已核"] + place).firstLine
        case .postgres:
            let hub = try await HubLedger.open(
                postgres: try PostgresLocation.parse(place[1]), keyPath: place[3], nowMillis: 0)
            ended =
                try await hub.decideLead(
                    lead, confirm: true, note: "火化证明已核", date: nil, author: "w-test",
                    nowMillis: Int64(Date().timeIntervalSince1970 * 1000)
                ).first?.value ?? ""
            await (hub.storage as? PostgresLedgerStorage)?.close()
        }
        #expect(ended.hasPrefix("E-"))
        #expect(
            try await cli.ok(["hub", "leads"] + place + ["--status", "confirmed", "--json"]).json?.arrayValue?.count
                == 1)
        let recovery = try #require(try await cli.ok(["hub", "recovery"] + place + ["--json"]).json)
        #expect(recovery["lines"]?.arrayValue != nil)
    }

    @Test("a generated node's first sync sends nothing again, takes no snapshot, and its head is signed at the hub")
    func generatedNodesStartSynced() async throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        _ = try await cli.ok([
            "hub", "generate", "--profile", "small-county", "--out", out, "--seed", "3", "--scale", "0.01",
            "--month", "2026-11",
        ])
        let townships = try FileManager.default.contentsOfDirectory(atPath: out).filter {
            $0.hasSuffix(".db") && $0 != "hub.db"
        }
        #expect(townships.count > 1)
        // Every node's head is kept at the hub with the node's signature, as after a push.
        let verified = try #require(try await cli.ok(["hub", "verify", "--db", out + "/hub.db", "--json"]).json)
        #expect(verified["intact"] == .bool(true))
        #expect(verified["signed_heads"]?.integerValue == Int64(townships.count), "\(verified)")
        let node = out + "/" + townships.sorted()[0]
        #expect(try await cli.ok(["status", "--db", node, "--json"]).json?["unsynced_ops"]?.integerValue == 0)

        let (hub, url) = try await CLIRunner.startHub(database: out + "/hub.db")
        defer { if hub.isRunning { hub.terminate() } }
        let first = try #require(try await cli.ok(["node", "sync", "--db", node, "--hub", url, "--json"]).json)
        #expect(first["pushed_ops"]?.integerValue == 0, "the hub holds every op: \(first)")
        #expect(first["pulled_ops"]?.integerValue == 0)
        #expect(first["snapshot_records"] == .null, "the node has pulled its scope already: \(first)")
        // The next change goes as any node's does.
        let village = String(townships.sorted()[0].prefix(9)) + "001"
        _ = try await cli.ok([
            "household", "add", "--db", node, "--village", village, "--address", "一组", "--type", "rural",
        ])
        let next = try #require(try await cli.ok(["node", "sync", "--db", node, "--json"]).json)
        #expect(next["pushed_ops"]?.integerValue == 1, "\(next)")
        #expect(next["quarantined"]?.arrayValue?.isEmpty == true)
    }
}
