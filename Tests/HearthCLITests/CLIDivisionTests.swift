import Foundation
import HearthCore
import Testing

@Suite("The names of places from the command line: set, import, list, and shown beside codes")
struct CLIDivisionTests {
    static func id(_ first17: String) -> String { first17 + String(IDNumber.checkDigit(of: first17)!) }

    @Test("hub division set and import name places, refuse bad codes and rows by line with nothing set, and list them")
    func setImportList() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "赤壁市", "--scope", "421281"])
        #expect(try await cli.ok(["hub", "division", "list", "--db", hub]).stdout.contains("no names of places"))

        let set = try await cli.ok(["hub", "division", "set", "--db", hub, "421281101", "沙河镇", "--note", "区划文件"])
        #expect(set.firstLine.hasPrefix("D-"), "the new id alone on the first line: \(set.stdout)")
        #expect(set.stdout.contains("421281101 沙河镇: added"))
        for (code, says) in [
            ("421282101", "is not inside the county 421281"), ("42128110", "must be a township code (9 digits)"),
            ("421281000", "the county's own code"), ("421281101000", "the village part"),
        ] {
            let refused = try await cli.run(["hub", "division", "set", "--db", hub, code, "某地"])
            #expect(refused.status == 65, "\(code)")
            #expect(refused.stderr.contains(says), "\(code): \(refused.stderr)")
        }
        let noName = try await cli.run(["hub", "division", "set", "--db", hub, "421281101001", " "])
        #expect(noName.status == 65 && noName.stderr.contains("name: is empty"), "\(noName.stderr)")

        // A file with bad rows: each named by its line, and nothing set, not even the good row.
        let bad = cli.directory + "/bad.csv"
        try "\u{FEFF}区划代码,名称\r\n421281101001,新庄村\r\n4212811,短码\r\n421281101001,重复\r\n421281101002,\r\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await cli.run(["hub", "division", "import", "--db", hub, bad])
        #expect(refused.status == 65)
        for line in ["line 3, 区划代码", "line 4, 区划代码: 421281101001 is named on line 2", "line 5, 名称: is empty"] {
            #expect(refused.stderr.contains(line), "\(line): \(refused.stderr)")
        }
        #expect(refused.stderr.contains("nothing set: 3 bad rows in bad.csv"))
        let before = try #require(
            try await cli.ok(["hub", "division", "list", "--db", hub, "--json"]).json?.arrayValue)
        #expect(before.count == 1, "nothing of the refused file was set")

        let good = cli.directory + "/places.csv"
        try "code,name\n421281101001,新庄村\n421281101002,河湾村\n421281101,沙河镇\n'421281102,\"城关镇\"\n"
            .write(toFile: good, atomically: true, encoding: .utf8)
        let imported = try await cli.ok(["hub", "division", "import", "--db", hub, good])
        #expect(imported.stdout.contains("line 2: 421281101001 新庄村: added"), "\(imported.stdout)")
        #expect(imported.stdout.contains("line 4: 421281101 沙河镇: unchanged"))
        #expect(imported.stdout.contains("places.csv: 3 added, 0 renamed, 1 unchanged"))
        let again = try await cli.ok(["hub", "division", "import", "--db", hub, good])
        #expect(again.stdout.contains("places.csv: 0 added, 0 renamed, 4 unchanged"), "importing again changes nothing")

        let listed = try #require(
            try await cli.ok(["hub", "division", "list", "--db", hub, "--json"]).json?.arrayValue)
        #expect(
            listed.map { $0["code"]?.stringValue ?? "" } == ["421281101", "421281101001", "421281101002", "421281102"])
        #expect(Set(listed[0].objectValue?.keys.map { $0 } ?? []) == ["id", "code", "level", "name", "note"])
        #expect(listed[0]["level"]?.stringValue == "township" && listed[0]["note"]?.stringValue == "区划文件")
        #expect(listed[1]["level"]?.stringValue == "village" && listed[1]["name"]?.stringValue == "新庄村")
        let table = try await cli.ok(["hub", "division", "list", "--db", hub]).stdout
        #expect(table.contains("421281101002") && table.contains("河湾村"))
    }

    @Test("a node receives the names by bundle and shows them in status, household list and its report; it sets none")
    func namesOnANode() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "赤壁市", "--scope", "421281"])
        try await cli.ok(["hub", "division", "set", "--db", hub, "421281101", "沙河镇"])
        try await cli.ok(["hub", "division", "set", "--db", hub, "421281101001", "新庄村"])
        let home = try await cli.ok([
            "household", "add", "--db", hub, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ]).firstLine
        let head = try await cli.ok([
            "member", "add", "--db", hub, "--household", home, "--name", "王秀英", "--id-number",
            Self.id("42128119600101011"), "--relation", "head",
        ]).firstLine
        let enrollment = try await cli.ok([
            "enroll", "--db", hub, "--member", head, "--program", "dibao_rural", "--amount", "560", "--start",
            "2026-01",
        ]).firstLine
        try await cli.ok(["approve", "--db", hub, enrollment])
        try await cli.ok([
            "household", "add", "--db", hub, "--village", "421281101002", "--address", "二组", "--type", "rural",
        ])

        let token = try await cli.ok(["hub", "enroll", "--db", hub, "--name", "沙河镇", "--scope", "421281101"]).firstLine
        let node = cli.directory + "/shahe.db"
        try await cli.ok(["node", "init", "--db", node, "--token", token])
        let up = cli.directory + "/up.hearth"
        try await cli.ok(["node", "export", "--db", node, "--out", up])
        try await cli.ok(["hub", "import", "--db", hub, up])
        let down = cli.directory + "/down.hearth"
        try await cli.ok(["hub", "export", "--db", hub, "--node", "沙河镇", "--out", down])
        try await cli.ok(["node", "import", "--db", node, down])

        let names = try #require(try await cli.ok(["divisions", "--db", node, "--json"]).json?.arrayValue)
        #expect(names.map { $0["name"]?.stringValue ?? "" } == ["沙河镇", "新庄村"])
        let status = try await cli.ok(["status", "--db", node])
        #expect(status.stdout.contains("scope     421281101 沙河镇 (township)"), "\(status.stdout)")
        #expect(try await cli.ok(["status", "--db", node, "--json"]).json?["scope_name"]?.stringValue == "沙河镇")
        let hubStatus = try await cli.ok(["status", "--db", hub])
        #expect(hubStatus.stdout.contains("scope     421281 赤壁市 (county)"), "\(hubStatus.stdout)")

        let list = try await cli.ok(["household", "list", "--db", node]).stdout
        #expect(list.contains("421281101001 新庄村"), "\(list)")
        #expect(list.contains("421281101002  "), "no name: the code alone: \(list)")
        let listed = try #require(try await cli.ok(["household", "list", "--db", node, "--json"]).json?.arrayValue)
        let named = try #require(listed.first { $0["id"]?.stringValue == home })
        #expect(named["village_name"]?.stringValue == "新庄村" && named["township_name"]?.stringValue == "沙河镇")
        let unnamed = try #require(listed.first { $0["id"]?.stringValue != home })
        #expect(unnamed["village_name"] == .null)

        let report = try await cli.ok(["report", "--db", node, "--month", "2026-11", "--by", "village"]).stdout
        #expect(report.contains("421281101001 新庄村"), "\(report)")
        let byTownship = try #require(
            try await cli.ok(["hub", "report", "--db", hub, "--month", "2026-11", "--format", "json"]).json)
        #expect(byTownship["lines"]?.arrayValue?.first?["area_name"]?.stringValue == "沙河镇")
        #expect(byTownship["total"]?["area_name"]?.stringValue == "赤壁市")

        // The names are the county's: a node has no command for them, and the hub's refuses its database.
        let onNode = try await cli.run(["hub", "division", "set", "--db", node, "421281101002", "河湾村"])
        #expect(onNode.status != 0)
        #expect(onNode.stderr.contains("not the county hub's"), "\(onNode.stderr)")
    }
}
