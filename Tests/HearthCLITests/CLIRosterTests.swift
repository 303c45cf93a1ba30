import Foundation
import HearthCore
import HearthLedgerPostgres
import HearthTestPostgres
import Testing
import HearthTestSupport

@Suite("hearth hub import-roster, end to end")
struct CLIRosterTests {
    static func id(_ first17: String) -> String { first17 + String(IDNumber.checkDigit(of: first17)!) }

    func roster(_ cli: CLIRunner, _ name: String, rows: [String]) throws -> String {
        let header = "区划代码,户号,地址,户类型,一卡通账号,姓名,身份证号,与户主关系,救助项目,月保障金额,起始年月"
        let path = cli.directory + "/" + name
        let text = "\u{FEFF}" + ([header] + rows).joined(separator: "\r\n") + "\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The environment that names the hub for `hearth hub` commands, and how many ops its log
    /// holds: the runner's file (`HEARTH_DB`), or a fresh database of the tests' server.
    func hub(_ store: CLIStore, _ cli: CLIRunner) async throws -> (
        environment: [String: String], logSize: @Sendable () async throws -> Int
    ) {
        switch store {
        case .sqlite:
            return ([:], { Int(try #require(try await cli.ok(["status", "--json"]).json?["log_size"]?.integerValue)) })
        case .postgres:
            let location = try await PostgresServer.shared().freshDatabase()
            let key = cli.directory + "/hub.key"
            return (
                ["HEARTH_STORE": location.description, "HEARTH_KEY_FILE": key],
                {
                    let storage = try await PostgresLedgerStorage.open(location: location, keyPath: key, nowMillis: 0)
                    let count = try await storage.opCount()
                    await storage.close()
                    return count
                }
            )
        }
    }

    @Test(
        "a bad roster exits 65 and changes nothing; a good one imports and the payroll pays its approved enrollments",
        arguments: CLIStore.allCases)
    func importThenPay(_ store: CLIStore) async throws {
        let cli = try CLIRunner()
        let (environment, logSize) = try await hub(store, cli)
        _ = try await cli.ok(["hub", "init", "--name", "宜城市", "--scope", "421281"], environment: environment)
        let head = Self.id("42128119800101001")
        let spouse = Self.id("42128119820305002")
        let good = [
            "421281101001,0001,新庄村三组12号,农村,\t6222000011112222,王秀英,\t\(head),户主,农村低保,560,2026-01",
            "421281101001,0001,,,,李强,\t\(spouse),配偶,农村低保,560,2026-01",
            "421281101001,0001,,,,王小宝,,子,,,",
        ]
        let logBefore = try await logSize()
        let bad = try roster(cli, "bad.csv", rows: good + ["421281101001,0002,某地,农村,,赵六,4.21281E+17,户主,,,"])
        let refused = try await cli.run(["hub", "import-roster", bad], environment: environment)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("line 5, 身份证号"))
        #expect(!refused.stderr.contains(head) && !refused.stderr.contains(spouse))
        let refusedJSON = try await cli.run(["hub", "import-roster", bad, "--json"], environment: environment)
        #expect(refusedJSON.status == 65)
        #expect(refusedJSON.json?["bad_rows"]?.arrayValue?.first?["line"]?.integerValue == 5)
        #expect(refusedJSON.json?["bad_rows"]?.arrayValue?.first?["field"]?.stringValue == "身份证号")
        #expect(try await logSize() == logBefore)

        let path = try roster(cli, "roster.csv", rows: good)
        let dry = try await cli.ok(["hub", "import-roster", path, "--dry-run"], environment: environment)
        #expect(dry.firstLine == "6")
        #expect(try await logSize() == logBefore)
        let imported = try await cli.ok(["hub", "import-roster", path], environment: environment)
        #expect(imported.firstLine == "6")  // 1 household, 3 members, 2 enrollments
        #expect(imported.stderr.contains("line 4: 王小宝 has no ID number"))
        let again = try #require(
            try await cli.ok(["hub", "import-roster", path, "--json"], environment: environment).json)
        #expect(again["rows_already_imported"]?.integerValue == 3)
        #expect(again["members_created"]?.integerValue == 0)

        let roll = cli.directory + "/roll.csv"
        let payroll = try #require(
            try await cli.ok(
                ["hub", "payroll", "--month", "2026-11", "--out", roll, "--json"], environment: environment
            ).json
        )
        #expect(payroll["rows"]?.integerValue == 2)
        #expect(payroll["total_yuan"]?.stringValue == "1120.00")
        // One line for the household: its head is paid for both, on the roster's card.
        #expect(payroll["lines"]?.integerValue == 1)
        #expect(payroll["disbursement_yuan"]?.stringValue == "1120.00")
        let text = try String(contentsOfFile: roll, encoding: .utf8)
        #expect(
            text.contains(",农村低保,dibao_rural,2,") && text.contains(",王秀英,\t\(head),王秀英,\t6222000011112222,户卡,1120.00,"))
        #expect(!text.contains("王小宝"))
    }
}

extension CLIRosterTests {
    @Test(
        "a roster import killed part-way, after it settled parts in its transaction, leaves nothing; run again it imports everything"
    )
    func killedPartWay() async throws {
        let cli = try CLIRunner()
        _ = try await cli.ok(["hub", "init", "--name", "宜城市", "--scope", "421281"])
        // 3,000 households of three, a third of the heads on dibao: 13,000 records, parts of
        // about 5,000 (RosterWriter.recordsPerPart).
        var rows: [String] = []
        for number in 0..<3_000 {
            let village = "421281101\(String(format: "%03d", 1 + number % 20))"
            for (position, relation) in ["户主", "配偶", "子"].enumerated() {
                let person = number * 3 + position
                let born = String(
                    format: "19%02d%02d%02d", 40 + person / 1000 % 50, 1 + person % 12, 1 + person / 12 % 28)
                let id = Self.id("421281\(born)\(String(format: "%03d", person % 1000))")
                let household = position == 0 ? "村\(number)号,农村,\t62220000\(String(format: "%08d", number))" : ",,"
                let program = position == 0 && number % 3 == 0 ? "农村低保,560,2026-01" : ",,"
                rows.append("\(village),\(number),\(household),人\(person),\t\(id),\(relation),\(program)")
            }
        }
        let path = try roster(cli, "county.csv", rows: rows)
        let wal = cli.database + "-wal"
        @Sendable func walBytes() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? NSNumber)?.intValue ?? 0
        }
        let before = walBytes()

        // The import as its own process, killed once its open transaction has spilled 12 MB of
        // pages to the write-ahead log. The whole import spills about 21 MB before it commits,
        // growing evenly as it writes (households one after another), so by then it has written
        // well over the first part's 5,000 records and settled it: nothing is committed yet.
        // Watched from a thread of its own: on the cooperative pool, beside the other suites,
        // the watch was not run again until the import had ended.
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["--lang", "en", "hub", "import-roster", path, "--db", cli.database, "--worker", "w-test"]
        process.standardOutput = .null
        process.standardError = .null
        try process.run()
        let killedAt = try await offPool {
            while process.isRunning {
                let bytes = walBytes()
                if bytes > before + 12 << 20 {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    return bytes
                }
                usleep(2_000)
            }
            return 0
        }
        await waitForExit(process)
        #expect(process.terminationReason == .uncaughtSignal, "the import ended before it was killed")
        #expect(killedAt > before)

        let status = try #require(try await cli.ok(["status", "--json"]).json)
        #expect(status["log_size"]?.integerValue == 0)
        #expect(status["records"]?["households"]?.integerValue == 0)
        #expect(status["records"]?["members"]?.integerValue == 0)
        let again = try await cli.ok(["hub", "import-roster", path])
        #expect(again.firstLine == "13000")
        let after = try #require(try await cli.ok(["status", "--json"]).json)
        #expect(after["records"]?["households"]?.integerValue == 3_000)
        #expect(after["records"]?["members"]?.integerValue == 9_000)
        #expect(after["records"]?["enrollments"]?.integerValue == 1_000)
    }
}
