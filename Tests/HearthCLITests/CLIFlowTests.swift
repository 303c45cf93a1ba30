import Foundation
import HearthCore
import Testing
import HearthTestSupport

@Suite("The hearth CLI, offline, on a real SQLite file")
struct CLIFlowTests {
    static let headID = "421281198001010011"
    static let fatherID = "11010519491231002X"

    /// A node with one household, a head with an ID number and a newborn without one.
    func seeded() async throws -> (cli: CLIRunner, household: String, head: String, baby: String) {
        let cli = try CLIRunner()
        _ = try await cli.ok(["node", "init", "--name", "新庄村", "--scope", "421281101001"])
        let household = try await cli.ok([
            "household", "add", "--village", "421281101001", "--address", "新庄村三组12号", "--type", "rural",
            "--phone", "138 0000 1111",
        ]).firstLine
        let head = try await cli.ok([
            "member", "add", "--household", household, "--name", "王秀英", "--id-number", "421281 19800101 001１",
            "--relation", "head",
        ]).firstLine
        let baby = try await cli.ok(["member", "add", "--household", household, "--name", "王小宝", "--relation", "child"])
            .firstLine
        return (cli, household, head, baby)
    }

    func logSize(_ cli: CLIRunner) async throws -> Int64 {
        try await cli.ok(["status", "--json"]).json?["log_size"]?.integerValue ?? -1
    }

    @Test("the offline flow works end to end: register, enroll, approve, change amount, death ends enrollments")
    func offlineFlow() async throws {
        let (cli, household, head, baby) = try await seeded()
        #expect(RecordID(household)?.type == .household)
        #expect(RecordID(head)?.type == .member)

        let headView = try #require(try await cli.ok(["member", "show", head, "--json"]).json)
        #expect(headView["fields"]?["id_number"]?.stringValue == "421281********0011")
        #expect(headView["fields"]?["sex"]?.stringValue == "male")
        #expect(headView["fields"]?["birth_date"]?.stringValue == "1980-01-01")
        let householdView = try #require(try await cli.ok(["household", "show", household, "--json"]).json)
        #expect(householdView["fields"]?["head"]?.stringValue == head)
        #expect(householdView["fields"]?["phone"]?.stringValue == "13800001111")

        let enrolled = try await cli.ok([
            "enroll", "--household", household, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
        ])
        let enrollments = enrolled.stdout.split(separator: "\n").map(String.init)
        #expect(enrollments.count == 2)
        let headEnrollment = enrollments[0]
        // On a village node an approval is a recommendation for the township (R7).
        let approved = try await cli.ok(["approve", headEnrollment])
        #expect(approved.firstLine == headEnrollment)
        #expect(approved.stdout.contains("recommendation"))
        try await cli.ok([
            "enrollment", "edit", headEnrollment, "--amount", "600.50", "--from", "2026-07", "--reason", "提标",
        ])
        let enrollmentView = try #require(try await cli.ok(["enrollment", "show", headEnrollment, "--json"]).json)
        #expect(enrollmentView["fields"]?["status"]?.stringValue == "applied")
        #expect(enrollmentView["fields"]?["decision"]?.stringValue == "pending")
        #expect(enrollmentView["fields"]?["recommendation"]?.stringValue == "approve")
        #expect(enrollmentView["fields"]?["amount"]?.stringValue == "560.00 from 2026-01; 600.50 from 2026-07")

        let death = try await cli.ok(["death", "--member", head, "--date", "2026-10-03"])
        #expect(death.firstLine == head)
        #expect(death.stdout.contains("ended enrollment \(headEnrollment)"))
        let ended = try #require(try await cli.ok(["enrollment", "show", headEnrollment, "--json"]).json)
        #expect(ended["fields"]?["status"]?.stringValue == "exited")
        #expect(ended["fields"]?["end_month"]?.stringValue == "2026-10")
        #expect(ended["fields"]?["exit_reason"]?.stringValue == "death")
        let babyEnrollment = try #require(
            try await cli.ok(["enrollment", "list", "--member", baby, "--json"]).json?.arrayValue)
        #expect(babyEnrollment.count == 1)
        #expect(babyEnrollment.first?["fields"]?["status"]?.stringValue == "applied")

        let visit = try await cli.ok(["visit", "add", "--household", household, "--note", "入户核查：家中无劳动力"]).firstLine
        #expect(RecordID(visit)?.type == .visit)

        let status = try #require(try await cli.ok(["status", "--json"]).json)
        #expect(status["records"]?["households"]?.integerValue == 1)
        #expect(status["records"]?["members"]?.integerValue == 2)
        #expect(status["records"]?["enrollments"]?.integerValue == 2)
        #expect(status["records"]?["visits"]?.integerValue == 1)
        #expect(status["pending_id_numbers"]?.integerValue == 1)
        let own = try #require(status["own_ops"]?.integerValue)
        #expect(status["unsynced_ops"]?.integerValue == own)
        #expect(status["log_size"]?.integerValue == own)
        let replica = try #require(status["replica"]?.stringValue)
        #expect(status["version_vector"]?[replica]?.integerValue == own)

        let log = try #require(try await cli.ok(["log", "--json"]).json?.arrayValue)
        #expect(log.count == Int(own))
        #expect(log.allSatisfy { $0["op"]?["author"]?.stringValue == "w-test" })

        let history = try await cli.ok(["show", headEnrollment, "--history"]).stdout
        #expect(history.contains("death of \(head)"))
        #expect(history.contains("amount change: 提标"))
    }

    @Test("status counts open rule cases by rule beside conflicts, as text and in --json")
    func statusCountsRuleCases() async throws {
        let cli = try CLIRunner()
        _ = try await cli.ok(["node", "init", "--name", "新庄村", "--scope", "421281101001"])
        let household = try await cli.ok([
            "household", "add", "--village", "421281101001", "--address", "新庄村三组12号", "--type", "rural",
        ]).firstLine
        let head = try await cli.ok(["member", "add", "--household", household, "--name", "王秀英", "--relation", "head"])
            .firstLine
        #expect(try await cli.ok(["status", "--json"]).json?["open_rule_cases"] == .object([:]))
        #expect(try await cli.ok(["status"]).stdout.contains("0 open rule case(s);"))
        // The only member dies: the household has no living member (R8) until someone acts.
        try await cli.ok(["death", "--member", head, "--date", "2026-03-01"])
        #expect(try await cli.ok(["status", "--json"]).json?["open_rule_cases"] == .object(["R8": .integer(1)]))
        #expect(try await cli.ok(["status"]).stdout.contains("1 open rule case(s) (R8 1);"))
        // Times on the screen say their zone; the JSON documents keep their form (China Standard Time).
        let logged = try await cli.ok(["log"]).stdout.split(separator: "\n")
        #expect(!logged.isEmpty && logged.allSatisfy { $0.contains(" +08:00  ") }, "\(logged)")
    }

    @Test("invalid input is refused with the field and the reason, a non-zero exit, and no change")
    func refusals() async throws {
        let (cli, household, head, _) = try await seeded()
        let before = try await logSize(cli)
        let cases: [([String], String)] = [
            (
                [
                    "member", "add", "--household", household, "--name", "甲", "--id-number", "421281198001010012",
                    "--relation", "other",
                ], "id-number"
            ),
            (
                [
                    "member", "add", "--household", household, "--name", "甲", "--id-number", "42128119800101001",
                    "--relation", "other",
                ], "id-number"
            ),
            (
                [
                    "member", "add", "--household", household, "--name", "甲", "--id-number", "421281203001010011",
                    "--relation", "other",
                ], "id-number"
            ),
            (
                [
                    "member", "add", "--household", household, "--name", "甲", "--id-number", "4.21281E+17",
                    "--relation", "other",
                ], "id-number"
            ),
            (["member", "add", "--household", household, "--name", "甲", "--relation", "cousin"], "relation"),
            (
                [
                    "member", "add", "--household", household, "--name", "甲", "--relation", "other",
                    "--disability-grade", "5",
                ], "disability-grade"
            ),
            (
                [
                    "member", "add", "--household", household, "--name", "乙", "--id-number", Self.headID, "--relation",
                    "other",
                ], "id-number"
            ),
            (["household", "add", "--village", "421281102001", "--address", "x", "--type", "rural"], "village"),
            (["household", "add", "--village", "42128110100", "--address", "x", "--type", "rural"], "village"),
            (["household", "add", "--village", "421281101001", "--address", "x", "--type", "suburban"], "type"),
            (["enroll", "--member", head, "--program", "dibao", "--amount", "560", "--start", "2026-01"], "program"),
            (
                ["enroll", "--member", head, "--program", "dibao_rural", "--amount", "-5", "--start", "2026-01"],
                "amount"
            ),
            (
                ["enroll", "--member", head, "--program", "dibao_rural", "--amount", "5.555", "--start", "2026-01"],
                "amount"
            ),
            (
                ["enroll", "--member", head, "--program", "dibao_rural", "--amount", "560", "--start", "2026-13"],
                "start"
            ),
            (
                ["enroll", "--member", head, "--program", "disability_living", "--amount", "80", "--start", "2026-01"],
                "program"
            ),
            (["death", "--member", head, "--date", "2099-01-01"], "date"),
            (["death", "--member", head, "--date", "2026-02-30"], "date"),
            (["death", "--member", "M-000000000000-1", "--date", "2026-01-01"], "member"),
        ]
        for (arguments, field) in cases {
            let result = try await cli.run(arguments)
            #expect(result.status == 65, "\(arguments) exited \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("\(field):"), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("1980010100"), "an ID number leaked into: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        await #expect(try logSize(cli) == before)

        let enrollment = try await cli.ok([
            "enroll", "--member", head, "--program", "dibao_rural", "--amount", "560", "--start", "2026-03",
        ]).firstLine
        let exitBeforeStart = try await cli.run(["exit", enrollment, "--reason", "收入超标", "--end", "2026-01"])
        #expect(exitBeforeStart.status == 65)
        #expect(exitBeforeStart.stderr.contains("end:"))
        let suspendApplied = try await cli.run(["suspend", enrollment])
        #expect(suspendApplied.status == 65)
    }

    @Test("a command that fails half-way commits none of its ops")
    func atomicCommand() async throws {
        let (cli, household, _, baby) = try await seeded()
        try await cli.ok([
            "enroll", "--member", baby, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
        ])
        let before = try await logSize(cli)
        // The head would be enrolled first; the baby already has a live dibao enrollment, so the whole command fails.
        let result = try await cli.run([
            "enroll", "--household", household, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
        ])
        #expect(result.status == 65)
        await #expect(try logSize(cli) == before)
        #expect(try await cli.ok(["enrollment", "list", "--json"]).json?.arrayValue?.count == 1)
    }

    @Test("init refuses to overwrite an existing replica, and writes need a worker id")
    func initAndWorker() async throws {
        let (cli, household, _, _) = try await seeded()
        let again = try await cli.run(["node", "init", "--name", "x", "--scope", "421281101001"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
        var anonymous = cli
        anonymous.worker = nil
        let write = try await anonymous.run(["visit", "add", "--household", household, "--note", "x"])
        #expect(write.status == 2)
        #expect(write.stderr.contains("--worker"))
        let badScope = try await CLIRunner().run(["node", "init", "--name", "x", "--scope", "4212"])
        #expect(badScope.status == 65)
        #expect(badScope.stderr.contains("scope:"))
    }

    @Test("ID numbers never sit in the database in clear, are masked on screen, and --reveal is audited")
    func sensitiveValues() async throws {
        let (cli, _, head, _) = try await seeded()
        let bytes = try #require(FileManager.default.contents(atPath: cli.database))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains(Self.headID))
        #expect(!text.contains("198001010011"))
        let keyMode = try FileManager.default.attributesOfItem(atPath: cli.database + ".key")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        let masked = try await cli.ok(["show", head]).stdout
        #expect(masked.contains("421281********0011"))
        #expect(!masked.contains(Self.headID))
        let revealed = try await cli.ok(["show", head, "--reveal"]).stdout
        #expect(revealed.contains(Self.headID))
        let audit = try await cli.ok(["status", "--json"])  // the audit table is checked with sqlite3 below
        #expect(audit.status == 0)
        let sqlite = ChildProcess()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [cli.database, "SELECT worker || '|' || action || '|' || record || '|' || field FROM audit"]
        let rows = try sqlite.outputs().text.standardOutput
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "w-test|reveal|\(head)|id_number")

        let withoutKey = try await cli.run(
            ["show", head], environment: ["HEARTH_KEY_FILE": cli.directory + "/missing.key"])
        #expect(withoutKey.status != 0)
        #expect(withoutKey.stderr.contains("key file"))
    }
}
