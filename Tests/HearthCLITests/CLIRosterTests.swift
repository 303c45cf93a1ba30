import Foundation
import HearthCore
import HearthLedgerPostgres
import HearthTestPostgres
import Testing

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
