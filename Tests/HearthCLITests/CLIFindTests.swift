import Foundation
import HearthCore
import Testing

/// `hearth find`, and every command that takes a record taking an ID number or a name instead,
/// through the built binary on a real replica.
@Suite("Finding people by name and ID number, not ids")
struct CLIFindTests {
    static let township = "421281101"
    static let village = "421281101001"
    static let otherVillage = "421281101002"
    static let headID = "421281198001010011"
    static let neighbourID = "11010519491231002X"

    /// A township's node with two households: 王秀英 (the head of the first, an ID number), 李秀兰
    /// (the head of the second, an ID number), and two people named 张伟, one in each.
    struct Seeded {
        let cli: CLIRunner
        let home: String
        let head: String
        let neighbourHome: String
        let neighbour: String
        let zhangs: [String]
    }

    func seeded() async throws -> Seeded {
        let cli = try CLIRunner()
        try await cli.ok(["node", "init", "--name", "新店镇", "--scope", Self.township])
        let home = try await cli.ok([
            "household", "add", "--village", Self.village, "--address", "新庄村三组12号", "--type", "rural", "--phone",
            "138 0000 1111",
        ]).firstLine
        let head = try await cli.ok([
            "member", "add", "--household", home, "--name", "王秀英", "--id-number", Self.headID, "--relation", "head",
        ]).firstLine
        let neighbourHome = try await cli.ok([
            "household", "add", "--village", Self.village, "--address", "河湾村一组3号", "--type", "rural", "--phone",
            "13900002222",
        ]).firstLine
        let neighbour = try await cli.ok([
            "member", "add", "--household", neighbourHome, "--name", "李秀兰", "--id-number", Self.neighbourID,
            "--relation", "head",
        ]).firstLine
        let zhangs = [
            try await cli.ok(["member", "add", "--household", home, "--name", "张伟", "--relation", "other"]).firstLine,
            try await cli.ok(["member", "add", "--household", neighbourHome, "--name", "张伟", "--relation", "other"])
                .firstLine,
        ]
        return Seeded(
            cli: cli, home: home, head: head, neighbourHome: neighbourHome, neighbour: neighbour, zhangs: zhangs)
    }

    func logSize(_ cli: CLIRunner) async throws -> Int64 {
        try await cli.ok(["status", "--json"]).json?["log_size"]?.integerValue ?? -1
    }

    /// The ids `find --json` printed.
    func ids(_ result: CLIRunner.Result) -> [String] {
        (result.json?["hits"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    @Test("find: a name by two and three characters and a part, an address, a phone by its last digits, an ID number")
    func find() async throws {
        let seeded = try await seeded()
        let cli = seeded.cli
        #expect(ids(try await cli.ok(["find", "秀英", "--json"])) == [seeded.head])
        #expect(ids(try await cli.ok(["find", "王秀英", "--json"])) == [seeded.head])
        #expect(Set(ids(try await cli.ok(["find", "张伟", "--json"]))) == Set(seeded.zhangs))
        #expect(ids(try await cli.ok(["find", "三组12", "--json"])) == [seeded.home])
        #expect(ids(try await cli.ok(["find", "0000 1111", "--json"])) == [seeded.home])
        // A phone by its last four digits (尾号) or its whole number; not by a run from its middle.
        #expect(ids(try await cli.ok(["find", "2222", "--json"])) == [seeded.neighbourHome])
        #expect(ids(try await cli.ok(["find", "139-0000-2222", "--json"])) == [seeded.neighbourHome])
        #expect(ids(try await cli.ok(["find", "1390000", "--json"])).isEmpty)
        let byNumber = try await cli.ok(["find", Self.headID, "--json"])
        #expect(ids(byNumber) == [seeded.head])
        #expect(byNumber.json?["by_id_number"] == .bool(true))

        // The text form: one line per hit with kind, id, name, village and the household.
        let text = try await cli.ok(["find", "王秀英"])
        let line = try #require(text.stdout.split(separator: "\n").first { $0.contains(seeded.head) })
        for part in ["member", seeded.head, "王秀英", Self.village, seeded.home] { #expect(line.contains(part)) }
        let household = try await cli.ok(["find", "河湾村"])
        let householdLine = try #require(
            household.stdout.split(separator: "\n").first { $0.contains(seeded.neighbourHome) })
        for part in ["household", "李秀兰", "河湾村一组3号", "13900002222"] { #expect(householdLine.contains(part)) }

        // The limit says there is more.
        let limited = try await cli.ok(["find", "张伟", "--limit", "1", "--json"])
        #expect(ids(limited).count == 1)
        #expect(limited.json?["more"] == .bool(true))
        #expect(try await cli.ok(["find", "张伟", "--limit", "1"]).stdout.contains("more than 1"))

        // One character is refused, and a text that matches nothing says so.
        let short = try await cli.run(["find", "王"])
        #expect(short.status == 65)
        #expect(short.stderr.contains("at least two characters"))
        #expect(try await cli.ok(["find", "赵钱孙"]).stdout.contains("nothing found"))
    }

    @Test("an ID number is never printed: not by find, not when nobody has it, not when it is mistyped")
    func idNumberNeverPrinted() async throws {
        let seeded = try await seeded()
        let cli = seeded.cli
        let digits = String(Self.headID.prefix(14))
        var outputs: [CLIRunner.Result] = [
            try await cli.ok(["find", Self.headID]), try await cli.ok(["find", Self.headID, "--json"]),
            try await cli.ok(["find", "421281 19800101 001１"]),
        ]
        let unknown = "421281199001010016"
        let mistyped = "421281198001010012"
        outputs.append(try await cli.ok(["find", unknown]))
        let refused = try await cli.run(["find", mistyped])
        #expect(refused.status == 65)
        outputs.append(refused)
        // Given for a record: unknown, mistyped, and a long run of digits that is neither.
        for text in [unknown, mistyped, "4212811980010100"] {
            let result = try await cli.run(["member", "edit", text, "--health", "良好"])
            #expect(result.status != 0)
            outputs.append(result)
        }
        #expect(outputs[3].stdout.contains("no member on this replica has that ID number"))
        for output in outputs {
            for secret in [Self.headID, unknown, mistyped, digits, String(unknown.prefix(14))] {
                #expect(!output.stdout.contains(secret), "\(output.stdout)")
                #expect(!output.stderr.contains(secret), "\(output.stderr)")
            }
        }
    }

    @Test("a name two people share lists both, with their households, and changes nothing (exit 65)")
    func sharedName() async throws {
        let seeded = try await seeded()
        let cli = seeded.cli
        let before = try await logSize(cli)
        for arguments in [
            ["member", "edit", "张伟", "--health", "良好"],
            ["death", "--member", "张伟", "--date", "2026-10-03"],
            ["household", "edit", "张伟", "--note", "x"],
            ["enroll", "--member", "张伟", "--program", "temporary", "--amount", "500", "--start", "2026-01"],
            ["member", "show", "张伟"],
        ] {
            let result = try await cli.run(arguments)
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("2 members are named \"张伟\""))
            #expect(result.stderr.contains("nothing was changed"))
            for (member, household) in zip(seeded.zhangs, [seeded.home, seeded.neighbourHome]) {
                let line = try #require(result.stderr.split(separator: "\n").first { $0.contains(member) })
                #expect(line.contains("household \(household)"))
                #expect(line.contains(Self.village))
            }
        }
        await #expect(try logSize(cli) == before)
        // A name nobody has: not found (66), nothing changed.
        let nobody = try await cli.run(["member", "edit", "赵钱孙", "--health", "良好"])
        #expect(nobody.status == 66)
        #expect(nobody.stderr.contains("no member on this replica has that name"))
        await #expect(try logSize(cli) == before)
    }

    /// How a test names the person a command is given.
    enum Reference: CaseIterable {
        case idNumber, name
        func of(_ person: (id: String, name: String)) -> String {
            switch self {
            case .idNumber: return person.id
            case .name: return person.name
            }
        }
    }

    @Test(
        "every kind of command takes an ID number or a unique name for the member, household, enrollment it names",
        arguments: Reference.allCases)
    func commandsTakePeople(reference: Reference) async throws {
        let seeded = try await seeded()
        let cli = seeded.cli
        let wang = reference.of((Self.headID, "王秀英"))
        let li = reference.of((Self.neighbourID, "李秀兰"))
        func first(_ arguments: [String]) async throws -> String { try await cli.ok(arguments).firstLine }

        // Reads: show, member show, household show, lists.
        await #expect(try first(["show", wang]).hasPrefix(seeded.head))
        await #expect(try first(["member", "show", wang]).hasPrefix(seeded.head))
        await #expect(try first(["household", "show", wang]).hasPrefix(seeded.home))
        let listed = try await cli.ok(["member", "list", "--household", li, "--json"]).json?.arrayValue ?? []
        #expect(Set(listed.compactMap { $0["id"]?.stringValue }) == [seeded.neighbour, seeded.zhangs[1]])

        // Member and household edits, a visit, a new member in the household.
        await #expect(try first(["member", "edit", wang, "--health", "良好"]) == seeded.head)
        await #expect(try first(["household", "edit", wang, "--note", "重点户", "--payee", wang]) == seeded.home)
        await #expect(try first(["household", "edit", li, "--head", li]) == seeded.neighbourHome)
        let visit = try await first(["visit", "add", "--household", wang, "--note", "入户核查"])
        #expect(RecordID(visit)?.type == .visit)
        #expect(try await cli.ok(["visit", "list", "--household", wang]).stdout.contains(visit))
        let child = try await first(["member", "add", "--household", wang, "--name", "王小宝", "--relation", "child"])

        // An enrollment named by its person, through every step of its life.
        let enrollment = try await first([
            "enroll", "--member", wang, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
        ])
        #expect(RecordID(enrollment)?.type == .enrollment)
        await #expect(try first(["enrollment", "show", wang]).hasPrefix(enrollment))
        #expect(try await cli.ok(["enrollment", "list", "--member", wang]).stdout.contains(enrollment))
        await #expect(try first(["approve", wang]) == enrollment)
        await #expect(
            try first(["enrollment", "edit", wang, "--amount", "600", "--from", "2026-07", "--reason", "提标"])
                == enrollment)
        await #expect(try first(["suspend", wang]) == enrollment)
        await #expect(try first(["resume", wang]) == enrollment)
        await #expect(try first(["exit", wang, "--reason", "收入超标", "--end", "2026-09"]) == enrollment)
        // Nothing left to approve: said so, nothing changed.
        let none = try await cli.run(["approve", wang])
        #expect(none.status == 66)
        #expect(none.stderr.contains("has no enrollment that can be approved"))
        let applied = try await first([
            "enroll", "--member", li, "--program", "dibao_rural", "--amount", "560", "--start", "2026-01",
        ])
        await #expect(try first(["reject", li]) == applied)

        // Household structure: split, member move, household move, archive; a death.
        let split = try await first(["household", "split", wang, "--members", "王小宝"])
        #expect(RecordID(split)?.type == .household)
        await #expect(try first(["member", "move", "王小宝", "--household", wang]) == child)
        await #expect(try first(["household", "move", li, "--village", Self.otherVillage]) == seeded.neighbourHome)
        #expect(try await cli.ok(["household", "archive", split, "--reason", "并户"]).firstLine == split)
        await #expect(try first(["death", "--member", wang, "--date", "2026-10-03"]) == seeded.head)
        let view = try #require(try await cli.ok(["member", "show", seeded.head, "--json"]).json)
        #expect(view["fields"]?["vital_status"]?.stringValue == "deceased")
        #expect(view["fields"]?["health"]?.stringValue == "良好")
    }

    @Test("find works on the county hub's database with --db")
    func findOnTheHub() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/county.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "赤壁市", "--scope", "421281"])
        let home = try await cli.ok([
            "household", "add", "--db", hub, "--village", Self.village, "--address", "新庄村三组12号", "--type", "rural",
        ]).firstLine
        let head = try await cli.ok([
            "member", "add", "--db", hub, "--household", home, "--name", "王秀英", "--id-number", Self.headID,
            "--relation", "head",
        ]).firstLine
        #expect(ids(try await cli.ok(["find", "--db", hub, "秀英", "--json"])) == [head])
        #expect(ids(try await cli.ok(["find", "--db", hub, Self.headID, "--json"])) == [head])
        #expect(try await cli.ok(["member", "edit", "--db", hub, "王秀英", "--health", "良好"]).firstLine == head)
    }
}
