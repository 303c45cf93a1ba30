import Foundation
import HearthCore
import Testing

@Suite("The roll for the bank, its audit, and hub commands on the hub's database only, through the hearth CLI")
struct CLIBankRollTests {
    static func id(_ first17: String) -> String { first17 + String(IDNumber.checkDigit(of: first17)!) }
    static let card = "6222020200112233445"

    @Test(
        "payees and cards set by the CLI are checked, reach the roll's files, and every export and --reveal is in `hub audit`"
    )
    func payeesFilesAndAudit() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "宜城市", "--scope", "421281"])
        func household(_ address: String) async throws -> String {
            try await cli.ok([
                "household", "add", "--db", hub, "--village", "421281101001", "--address", address, "--type", "rural",
            ]).firstLine
        }
        let home = try await household("新庄村一组")
        let head = try await cli.ok([
            "member", "add", "--db", hub, "--household", home, "--name", "王秀英", "--id-number",
            Self.id("42128119600101011"), "--relation", "head",
        ]).firstLine
        let spouse = try await cli.ok([
            "member", "add", "--db", hub, "--household", home, "--name", "李强", "--id-number",
            Self.id("42128119620101022"), "--relation", "spouse",
        ]).firstLine
        let neighbour = try await household("新庄村二组")
        let stranger = try await cli.ok([
            "member", "add", "--db", hub, "--household", neighbour, "--name", "张三", "--relation", "head",
        ]).firstLine

        // The payee must be a living member of the household; a card must be digits; no number is echoed.
        let elsewhere = try await cli.run(["household", "edit", "--db", hub, home, "--payee", stranger])
        #expect(elsewhere.status == 65)
        #expect(elsewhere.stderr.contains("payee") && elsewhere.stderr.contains("is not a member of \(home)"))
        let badCard = try await cli.run(["member", "edit", "--db", hub, spouse, "--bank-card", "6222 0202 0011 22X"])
        #expect(badCard.status == 65)
        #expect(badCard.stderr.contains("bank-card") && !badCard.stderr.contains("62220202"))
        try await cli.ok([
            "household", "edit", "--db", hub, home, "--payee", spouse, "--bank-card", Self.card, "--account-name", "李强",
            "--reason", "户主行动不便，由配偶领取",
        ])
        let shown = try #require(try await cli.ok(["household", "show", "--db", hub, home, "--json"]).json)
        #expect(shown["fields"]?["payee"]?.stringValue == spouse)
        #expect(shown["fields"]?["account_name"]?.stringValue == "李强")

        let enrolled = try await cli.ok([
            "enroll", "--db", hub, "--household", home, "--program", "dibao_rural", "--amount", "560", "--start",
            "2026-01",
        ]).stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("E-") }
        #expect(enrolled.count == 2)
        for enrollment in enrolled { try await cli.ok(["approve", "--db", hub, enrollment]) }

        // The roll: the path alone on the first line; one line for the household, to the payee.
        let out = cli.directory + "/roll-2026-11.csv"
        let printed = try await cli.ok(["hub", "payroll", "--db", hub, "--month", "2026-11", "--out", out])
        #expect(printed.firstLine == out)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 4, "\(text)")
        #expect(lines[0].contains("发放月份,2026-11,县(市、区)区划代码,421281,县(市、区),宜城市,笔数,1,发放总额(元),1120.00"))
        #expect(
            lines[2].contains(
                ",2,\(spouse),李强,\t\(Self.id("42128119620101022")),李强,\t\(Self.card),户卡,1120.00,0.00,1120.00,"))
        for companion in ["-no-card.csv", "-recovery.csv", "-summary.csv"] {
            #expect(FileManager.default.fileExists(atPath: cli.directory + "/roll-2026-11" + companion), "\(companion)")
        }
        let json = try #require(
            try await cli.ok([
                "hub", "payroll", "--db", hub, "--month", "2026-11", "--out", cli.directory + "/again.csv", "--json",
            ]).json)
        #expect(json["lines"]?.integerValue == 1)
        #expect(json["disbursement_yuan"]?.stringValue == "1120.00")
        #expect(json["back_pay_yuan"]?.stringValue == "0.00")
        #expect(json["recovery_yuan"]?.stringValue == "0.00")
        #expect(json["lines_without_card"]?.integerValue == 0)
        #expect(json["files"]?["recovery"]?.stringValue == cli.directory + "/again-recovery.csv")
        let occupied = try await cli.run(["hub", "payroll", "--db", hub, "--month", "2026-11", "--out", out])
        #expect(occupied.status != 0)
        // Said of the --out file, not of the replica (it once said "a replica is never overwritten").
        #expect(occupied.stderr.contains("\(out) already exists"), "\(occupied.stderr)")
        #expect(occupied.stderr.contains("--out") && !occupied.stderr.contains("--db"), "\(occupied.stderr)")
        // One of the other three there: named, with the --out path it belongs to; none is written.
        let fresh = cli.directory + "/fresh.csv"
        try "".write(toFile: cli.directory + "/fresh-summary.csv", atomically: true, encoding: .utf8)
        let companion = try await cli.run(["hub", "payroll", "--db", hub, "--month", "2026-11", "--out", fresh])
        #expect(companion.status != 0)
        #expect(
            companion.stderr.contains("\(cli.directory)/fresh-summary.csv (a file of --out \(fresh)) already exists"),
            "\(companion.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
        // Refused before the hub is opened and the roll read (seconds on a county): with no hub
        // at --db at all, the answer is still the --out file's.
        let early = try await cli.run([
            "hub", "payroll", "--db", cli.directory + "/no-such-hub.db", "--month", "2026-11", "--out", out,
        ])
        #expect(early.status != 0)
        #expect(early.stderr.contains("\(out) already exists"), "\(early.stderr)")
        // With the --out free, the missing hub is named, with how a hub is made (not only a node).
        let missing = try await cli.run([
            "hub", "payroll", "--db", cli.directory + "/no-such-hub.db", "--month", "2026-11", "--out",
            cli.directory + "/free.csv",
        ])
        #expect(missing.status == 66, "\(missing.stderr)")
        #expect(missing.stderr.contains("no Hearth database at \(cli.directory)/no-such-hub.db"), "\(missing.stderr)")
        #expect(missing.stderr.contains("hearth hub init"), "\(missing.stderr)")
        // Numbers in clear go to a named person only: without --worker nothing is written.
        var anonymous = cli
        anonymous.worker = nil
        let nobody = try await anonymous.run([
            "hub", "payroll", "--db", hub, "--month", "2026-11", "--out", cli.directory + "/nobody.csv",
        ])
        #expect(nobody.status == 2 && nobody.stderr.contains("--worker"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/nobody.csv"))

        // A reveal and both exports are in the hub's audit trail, with who and what.
        try await cli.ok(["member", "show", "--db", hub, head, "--reveal", "--worker", "county-clerk"])
        let audit = try #require(try await cli.ok(["hub", "audit", "--db", hub, "--json"]).json?.arrayValue)
        let exports = audit.filter { $0["kind"]?.stringValue == "export" }
        #expect(exports.map { $0["record"]?.stringValue } == [out, cli.directory + "/again.csv"])
        #expect(exports.allSatisfy { $0["by"]?.stringValue == "w-test" && $0["field"]?.stringValue == "payroll" })
        #expect(exports.first?["detail"]?.stringValue?.hasPrefix("roll for 2026-11: 1 lines, 1120.00 yuan") == true)
        let reveal = try #require(audit.first { $0["kind"]?.stringValue == "reveal" })
        #expect(reveal["record"]?.stringValue == head)
        #expect(reveal["field"]?.stringValue == "id_number")
        #expect(reveal["by"]?.stringValue == "county-clerk")
        let plain = try await cli.ok(["hub", "audit", "--db", hub]).stdout
        #expect(plain.contains("export  \(out) [payroll]  by w-test: roll for 2026-11"), "\(plain)")
        #expect(plain.contains("reveal  \(head) [id_number]  by county-clerk"), "\(plain)")
    }

    /// Arguments each hub verb needs to get past parsing, so that it reaches the database.
    static let hubVerbs: [String: [String]] = [
        "enroll": ["--name", "x", "--scope", "421281101001"],
        "nodes": [],
        "revoke": ["x"],
        // Not loopback and no TLS: refused before serving whatever the database, never left running.
        "serve": ["--port", "0", "--host", "192.0.2.1"],
        "import": ["x.hearth"],
        "export": ["--node", "x", "--out", "x.hearth"],
        "quarantine list": [],
        "quarantine release": ["3f9a2c71b0d4:1"],
        "quarantine discard": ["3f9a2c71b0d4:1"],
        "conflicts list": [],
        "conflicts show": ["E-3f9a2c71b0d4-1/amount"],
        "conflicts resolve": ["E-3f9a2c71b0d4-1/amount", "--pick", "1", "--note", "x"],
        "conflicts ack": ["E-3f9a2c71b0d4-1/amount"],
        "audit": [],
        "payroll": ["--month", "2026-11", "--out", "roll.csv", "--lock"],
        "report": ["--month", "2026-11"],
        "standard set": ["--program", "dibao_rural", "--from", "2027-01", "--amount", "600"],
        "standard list": [],
        "setting set": ["death_month", "stopped"],
        "setting list": [],
        "division set": ["421281101002", "河湾村"],
        "division import": ["places.csv"],
        "division list": [],
        "leads": [],
        "recovery": [],
        "import-roster": ["roster.csv"],
        "crosscheck import": ["--source", "death", "deaths.csv"],
        // Refused before any password is asked for.
        "user add": ["--name", "wang", "--role", "admin"],
        "user list": [],
        "user disable": ["wang"],
        "user password": ["wang"],
        "user logout": ["wang"],
        "backup": ["--out", "copy.db"],
        "restore": ["--from", "copy.db"],
        // The file to move is --from, else --db, as every hub command opens it.
        "migrate": ["--to", "postgres://hearth@127.0.0.1:1/county"],
        "compact": ["--retention-months", "1"],
        "verify": ["--archive"],
    ]
    /// Hub verbs that open no existing database: `init` creates the hub's, `generate` a new county.
    static let creating: Set<String> = ["init", "generate"]

    /// The subcommands `hearth <path> --help` lists.
    static func subcommands(_ cli: CLIRunner, _ path: [String]) async throws -> [String] {
        let help = try await cli.ok(path + ["--help"]).stdout
        guard let section = help.components(separatedBy: "SUBCOMMANDS:").dropFirst().first else { return [] }
        return section.split(separator: "\n").compactMap { line -> String? in
            // "  name   abstract"; continuation lines are indented further, and "  See 'hearth help …'" is not a verb.
            guard line.hasPrefix("  "), let first = line.dropFirst(2).first, first.isLowercase else { return nil }
            return line.dropFirst(2).split(separator: " ").first.map(String.init)
        }
    }

    @Test(
        "every `hearth hub` command refuses a node's database, clearly, and changes nothing (a roll was lockable there)"
    )
    func hubVerbsRefuseNodes() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "宜城市", "--scope", "421281"])
        let token = try await cli.ok(["hub", "enroll", "--db", hub, "--name", "沙河镇", "--scope", "421281101"]).firstLine
        let node = cli.directory + "/shahe.db"
        try await cli.ok(["node", "init", "--db", node, "--token", token])
        let home = try await cli.ok([
            "household", "add", "--db", node, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ]).firstLine
        let member = try await cli.ok([
            "member", "add", "--db", node, "--household", home, "--name", "王五", "--id-number",
            Self.id("42128119600101011"), "--relation", "head",
        ]).firstLine
        let enrollment = try await cli.ok([
            "enroll", "--db", node, "--member", member, "--program", "dibao_rural", "--amount", "560", "--start",
            "2026-01",
        ]).firstLine
        try await cli.ok(["approve", "--db", node, enrollment])
        let before = try #require(try await cli.ok(["status", "--db", node, "--json"]).json)

        // Every verb `hearth hub --help` lists, down to the leaves, has a case here.
        var leaves: [String] = []
        for verb in try await Self.subcommands(cli, ["hub"]) {
            let nested = try await Self.subcommands(cli, ["hub", verb])
            leaves += nested.isEmpty ? [verb] : nested.map { "\(verb) \($0)" }
        }
        #expect(Set(leaves).subtracting(Self.creating) == Set(Self.hubVerbs.keys), "\(leaves)")

        for (verb, arguments) in Self.hubVerbs.sorted(by: { $0.key < $1.key }) {
            let result = try await cli.run(
                ["hub"] + verb.split(separator: " ").map(String.init)
                    + arguments.map {
                        $0.hasSuffix(".csv") || $0.hasSuffix(".hearth") ? cli.directory + "/" + $0 : $0
                    } + ["--db", node])
            #expect(result.status != 0, "hub \(verb) ran on a node's replica: \(result.stdout)")
            #expect(
                result.stderr.contains("is a node's replica") && result.stderr.contains("not the county hub's"),
                "hub \(verb): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/roll.csv"))
        let after = try #require(try await cli.ok(["status", "--db", node, "--json"]).json)
        #expect(after["log_size"] == before["log_size"])
        #expect(
            try await cli.ok(["standards", "--db", node, "--json"]).json?.arrayValue == [],
            "standards stay readable on a node")
    }
}
