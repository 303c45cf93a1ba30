import Foundation
import GRDB
import HearthCore
@testable import HearthLedger
import Testing

@testable import HearthStore
import HearthTestSupport

@Suite("Importing a county roster at the hub")
struct RosterImportTests {
    static let now: Int64 = 1_795_600_000_000

    static func id(_ first17: String) -> String { first17 + String(IDNumber.checkDigit(of: first17)!) }
    static let head = id("42128119800101001")
    static let spouse = id("42128119820305002")
    static let neighbour = id("42128119700202003")
    /// A first-generation number (born 1940-10-10), upgraded to 18 characters on import.
    static let fifteen = "421281401010004"
    static let card = "6222000011112222"

    static let header = "区划代码,户号,地址,户类型,联系电话,一卡通账号,姓名,身份证号,与户主关系,残疾等级,救助项目,月保障金额,起始年月"
    /// Two households: a head with two programs (one row each), a spouse, a baby without an
    /// ID number and no program; a neighbour with a 15-digit ID number.
    static let goodRows = [
        "421281101001,0001,\"新庄村三组12号, 东\",农村,13800001111,\t\(card),王秀英,\t\(head),户主,2,农村低保,560,2026-01",
        "421281101001,0001,,,,,王秀英,'\(head),户主,二级,困难残疾人生活补贴,80,2026年1月",
        "421281101001,0001,,,,,李强,\(spouse),配偶,,农村低保,560,2026/01",
        "421281101001,0001,,,,,王小宝,,子,,,,",
        "421281101002,0002,河湾村1号,城镇,,,张三,\(fifteen),本人,,城市低保,650.5,202601",
    ]

    static func csv(_ rows: [String], header: String = header) -> String {
        ([header] + rows).joined(separator: "\r\n") + "\r\n"
    }

    /// This test's directories (or those of the suite that keeps this one as its helper),
    /// removed when it ends.
    let temporary = TemporaryDirectories()

    func directory() throws -> String {
        try temporary.make("hearth-roster")
    }

    func hub(_ directory: String, name: String = "hub") throws -> HubLedger {
        try HubLedger.create(
            path: directory + "/\(name).db", name: name, scope: try ScopePrefix.parse("421281", field: "scope"),
            nowMillis: Self.now)
    }

    func write(_ text: String, to path: String, bom: Bool = true) throws -> String {
        try Data(((bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8))).write(to: URL(fileURLWithPath: path))
        return path
    }

    func importing(_ hub: HubLedger, _ path: String, dryRun: Bool = false, skipInvalid: Bool = false) async throws
        -> RosterImportReport
    {
        try await hub.importRoster(
            file: path, dryRun: dryRun, skipInvalid: skipInvalid, author: "county-admin", nowMillis: Self.now)
    }

    func count(_ hub: HubLedger, _ sql: String) throws -> Int {
        try hub.replica.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    func opCount(_ hub: HubLedger) throws -> Int { try count(hub, "SELECT count(*) FROM ops") }

    /// Every message the import could show: problems, and the skipped file's reasons.
    func assertNoSensitiveDigits(
        _ report: RosterImportReport, _ numbers: [String] = [head, spouse, neighbour, fifteen, card]
    ) {
        for problem in report.problems {
            for number in numbers {
                #expect(!problem.description.contains(number), "line \(problem.line) repeats a sensitive number")
                #expect(!problem.description.contains(number.prefix(14)), "line \(problem.line) repeats part of one")
            }
        }
    }

    @Test("UTF-8 with a BOM, UTF-8 without one and GB18030 rosters import the same records")
    func encodings() async throws {
        let folder = try directory()
        let text = Self.csv(Self.goodRows)
        let files = [
            try write(text, to: folder + "/bom.csv"),
            try write(text, to: folder + "/plain.csv", bom: false),
            folder + "/gb.csv",
        ]
        try Data(try #require(GB18030.encode(text))).write(to: URL(fileURLWithPath: files[2]))
        var states: [[String]] = []
        for (index, file) in files.enumerated() {
            let replica = try hub(folder, name: "hub\(index)")
            let report = try await importing(replica, file)
            #expect(report.encoding == [.utf8BOM, .utf8, .gb18030][index])
            #expect(report.householdsCreated == 2)
            #expect(report.membersCreated == 4)
            #expect(report.enrollmentsCreated == 4)
            #expect(report.problems.isEmpty)
            states.append(
                try replica.replica.read { db in
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT h.address || '|' || h.type || '|' || m.name || '|' || m.relation || '|' || coalesce(m.birth_date, '')
                                   || '|' || coalesce(e.program, '') || '|' || coalesce(e.amount, '')
                            FROM members m JOIN households h ON h.id = m.household LEFT JOIN enrollments e ON e.member = m.id
                            ORDER BY 1
                            """)
                })
        }
        #expect(states[0].count == 5)
        #expect(states[0].contains("新庄村三组12号, 东|rural|王秀英|head|1980-01-01|disability_living|2026-01:8000"))
        #expect(states[1] == states[0])
        #expect(states[2] == states[0])
    }

    @Test("a head with two programs gets two approved enrollments; the head, population and sealed numbers are set")
    func householdsMembersEnrollments() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        let report = try await importing(replica, try write(Self.csv(Self.goodRows), to: folder + "/roster.csv"))
        #expect(report.created.count == report.recordsCreated)
        #expect(report.recordsCreated == 10)
        let headID = try #require(
            try replica.replica.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM members WHERE name = '王秀英'")
            })
        let household = try replica.replica.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM households WHERE head = ?", arguments: [headID])
        }
        let row = try #require(household)
        #expect(row["population"] as Int64? == 3)
        #expect(row["phone"] as String? == "13800001111")
        #expect(row["bank_card_hash"] as String? == replica.keys.digest(Self.card))
        let member = try #require(
            try replica.replica.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM members WHERE id = ?", arguments: [headID])
            })
        #expect(member["id_number_hash"] as String? == replica.keys.digest(Self.head))
        #expect(member["sex"] as String? == "male")
        #expect(member["disability_grade"] as Int64? == 2)
        let enrollments = try replica.replica.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM enrollments WHERE member = ? ORDER BY program", arguments: [headID])
        }
        #expect(enrollments.map { $0["program"] as String } == ["dibao_rural", "disability_living"])
        for enrollment in enrollments {
            #expect(enrollment["status"] as String == "approved")
            #expect(enrollment["decision"] as String == "approved")
            #expect(enrollment["approver"] as String == "county-admin")
            #expect(enrollment["start_month"] as String == "2026-01")
        }
        // Every op names the file and line it came from (痕迹化管理).
        let ops = try replica.replica.allOps()
        #expect(
            ops.allSatisfy {
                $0.author == "county-admin" && ($0.cause ?? "").hasPrefix("roster import: roster.csv line ")
            })
        // The roll pays the imported approved enrollments; the baby has none, the head two.
        let roll = try replica.replica.payroll(for: try Month.parse("2026-11", field: "month"), nowMillis: Self.now)
        #expect(roll.rows.count == 4)
        #expect(roll.total.fen == (560 + 80 + 560) * 100 + 65_050)
    }

    @Test("a 15-digit ID number is upgraded to 18 characters")
    func fifteenDigits() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        _ = try await importing(replica, try write(Self.csv(Self.goodRows), to: folder + "/roster.csv"))
        let upgraded = try #require(IDNumber.upgrade(fifteen: Self.fifteen))
        #expect(upgraded.count == 18)
        let row = try #require(
            try replica.replica.read { db in try Row.fetchOne(db, sql: "SELECT * FROM members WHERE name = '张三'") })
        #expect(row["id_number_hash"] as String? == replica.keys.digest(upgraded))
        #expect(row["birth_date"] as String? == "1940-10-10")
        #expect(row["relation"] as String? == "head")
    }

    @Test("a member without an ID number is kept and flagged with its line and name")
    func withoutIDNumber() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        let report = try await importing(replica, try write(Self.csv(Self.goodRows), to: folder + "/roster.csv"))
        #expect(report.withoutIDNumber.map(\.line) == [5])
        #expect(report.withoutIDNumber.map(\.name) == ["王小宝"])
        let baby = try #require(report.withoutIDNumber.first?.member)
        let row = try #require(
            try replica.replica.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM members WHERE id = ?", arguments: [baby.value])
            })
        #expect(row["id_number_hash"] as String? == nil)
        #expect(row["relation"] as String? == "child")
        #expect(row["vital_status"] as String? == "alive")
    }

    @Test("an ID number Excel turned into a number is refused with its line and field, and nothing is imported")
    func excelNumber() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        let before = try opCount(replica)
        var rows = Self.goodRows
        rows[2] = "421281101001,0001,,,,,李强,4.21281E+17,配偶,,农村低保,560,2026-01"
        let report = try await importing(replica, try write(Self.csv(rows), to: folder + "/roster.csv"))
        #expect(report.refused)
        #expect(report.problems.count == 1)
        let problem = try #require(report.problems.first)
        #expect(problem.line == 4)
        #expect(problem.field == "身份证号")
        #expect(problem.reason.contains("scientific notation"))
        #expect(report.recordsCreated == 0)
        #expect(try opCount(replica) == before)
        #expect(try count(replica, "SELECT count(*) FROM import_keys") == 0)
        #expect(!FileManager.default.fileExists(atPath: folder + "/roster.skipped.csv"))
    }

    @Test("every bad row is reported with line, field and reason (never an ID digit), and nothing is imported")
    func badRows() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        let before = try opCount(replica)
        var rows = Self.goodRows
        rows[1] = "421281101001,0001,,,,,王秀英,\(Self.head),户主,五级,困难残疾人生活补贴,80,2026-13"
        rows[2] = "421281101001,0001,,,,,李强,\(Self.spouse.prefix(17))1,配偶,,农村低保,5.605e2,2026-01"
        rows.append("421281101003,0003,某地,牧区,,\(Self.card.prefix(10)),赵六,\(Self.neighbour),户主,,低保,,")
        rows.append("421281101004,,某地,农村,,,钱七,,户主,,,,")
        rows.append("421281101002,0002,,,,,张四,\(Self.head),子,,,,")  // the head's number in another household
        rows.append("421281101002,0002,河湾村2号,城镇,,,张五,,子,,,,")  // another address for household 0002
        let report = try await importing(replica, try write(Self.csv(rows), to: folder + "/roster.csv"))
        #expect(report.refused)
        let seen = Set(report.problems.map { "\($0.line) \($0.field)" })
        for expected in [
            "3 残疾等级", "3 起始年月", "4 身份证号", "4 月保障金额", "7 户类型", "7 一卡通账号", "7 救助项目", "7 月保障金额",
            "8 户号", "9 身份证号", "2 身份证号", "10 地址",
        ] {
            #expect(seen.contains(expected), "missing \(expected) in \(seen.sorted())")
        }
        #expect(report.problems.first { $0.line == 8 }?.reason.contains("merged cell") == true)
        assertNoSensitiveDigits(report)
        #expect(try opCount(replica) == before)
        #expect(try count(replica, "SELECT count(*) FROM households") == 0)
    }

    @Test("--skip-invalid imports the good rows and writes the bad ones beside the file (0600, with reasons)")
    func skipInvalid() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        var rows = Self.goodRows
        rows[2] = "421281101001,0001,,,,,李强,4.21281E+17,配偶,,农村低保,560,2026-01"
        let path = try write(Self.csv(rows), to: folder + "/roster.csv")
        try Data("occupied".utf8).write(to: URL(fileURLWithPath: folder + "/roster.skipped.csv"))
        let report = try await importing(replica, path, skipInvalid: true)
        #expect(!report.refused)
        #expect(report.rowsSkipped == 1)
        #expect(report.membersCreated == 3)
        #expect(report.enrollmentsCreated == 3)
        let skipped = try #require(report.skippedFile)
        #expect(skipped == folder + "/roster.skipped-2.csv")
        #expect(try String(contentsOfFile: folder + "/roster.skipped.csv", encoding: .utf8) == "occupied")
        let attributes = try FileManager.default.attributesOfItem(atPath: skipped)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let table = try SpreadsheetTable.read(path: skipped)
        #expect(table.encoding == .utf8BOM)
        #expect(table.headers == Self.header.split(separator: ",").map(String.init) + ["错误原因"])
        #expect(table.rows.count == 1)
        #expect(table.rows[0]["姓名"] == "李强")
        #expect(table.rows[0]["错误原因"].hasPrefix("身份证号: the spreadsheet turned it into a number"))
        // The skipped rows hold the file's ID and card numbers in clear: the export is audited.
        #expect(
            try replica.replica.auditTrail() == [
                AuditEvent(
                    atMillis: Self.now, worker: "county-admin", action: "export", subject: skipped,
                    field: "skipped rows",
                    detail: "1 rows of roster.csv skipped by the roster import")
            ])

        // Fixed, the skipped file imports as it is and adds the missing person to the household.
        let fixed = try String(contentsOfFile: skipped, encoding: .utf8).replacingOccurrences(
            of: "4.21281E+17", with: "\t" + Self.spouse)
        let again = try await importing(replica, try write(fixed, to: folder + "/fixed.csv", bom: false))
        #expect(again.problems.isEmpty)
        #expect(again.householdsCreated == 0)
        #expect(again.membersCreated == 1)
        #expect(again.enrollmentsCreated == 1)
        #expect(try count(replica, "SELECT population FROM households WHERE address LIKE '新庄村%'") == 3)
        #expect(try replica.replica.auditTrail().count == 1, "nothing skipped, nothing written, nothing audited")
    }

    @Test("importing the same file twice creates no op; a longer file adds only what is new")
    func idempotent() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        let path = try write(Self.csv(Self.goodRows), to: folder + "/roster.csv")
        _ = try await importing(replica, path)
        let after = try opCount(replica)
        #expect(after > 0)
        let second = try await importing(replica, path)
        #expect(second.recordsCreated == 0)
        #expect(second.rowsAlreadyImported == Self.goodRows.count)
        #expect(second.withoutIDNumber.isEmpty)
        #expect(try opCount(replica) == after)

        let longer = Self.goodRows + ["421281101002,0002,,,,,张小,\(Self.neighbour),子,,,,"]
        let third = try await importing(replica, try write(Self.csv(longer), to: folder + "/roster-v2.csv"))
        #expect(third.membersCreated == 1)
        #expect(third.householdsCreated == 0)
        #expect(third.rowsAlreadyImported == Self.goodRows.count)
        #expect(try count(replica, "SELECT population FROM households WHERE address = '河湾村1号'") == 2)
    }

    @Test("a household has one head: a second head row is a bad row, and rows of one person must agree")
    func oneHead() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        var rows = Self.goodRows
        rows[2] = "421281101001,0001,,,,,李强,\(Self.spouse),户主,,农村低保,560,2026-01"
        rows.append("421281101001,0001,,,,,王秀英,\(Self.head),配偶,,临时救助,300,2026-01")
        rows.append("421281101001,0001,,,,,王秀英,\(Self.head),户主,,特困分散供养,300,2026-01")
        rows.append("421281101001,0001,,,,,王秀芳,\(Self.head),户主,,高龄津贴,300,2026-01")
        let report = try await importing(replica, try write(Self.csv(rows), to: folder + "/roster.csv"))
        #expect(report.refused)
        let seen = Set(report.problems.map { "\($0.line) \($0.field)" })
        #expect(seen.contains("4 与户主关系"))  // a second head
        #expect(seen.contains("7 与户主关系"))  // the same person as spouse
        #expect(seen.contains("9 姓名"))  // the same ID number under another name
        #expect(seen.contains("9 救助项目"))  // 高龄津贴 before 80
        #expect(report.badLines == [4, 7, 9])
        let good = try await importing(
            replica, try write(Self.csv(rows), to: folder + "/roster2.csv"), skipInvalid: true)
        #expect(good.enrollmentsCreated == 4)  // lines 2, 3, 6 and 8
        #expect(try count(replica, "SELECT count(*) FROM members WHERE relation = 'head'") == 2)
    }

    @Test("a dry run reports what would be imported and changes nothing")
    func dryRun() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        let before = try opCount(replica)
        var rows = Self.goodRows
        rows.append("421281101003,0003,某地,农村,,,赵六,4.21281E+17,户主,,,,")
        let path = try write(Self.csv(rows), to: folder + "/roster.csv")
        let report = try await importing(replica, path, dryRun: true, skipInvalid: true)
        #expect(report.dryRun)
        #expect(report.householdsCreated == 2)
        #expect(report.membersCreated == 4)
        #expect(report.enrollmentsCreated == 4)
        #expect(report.rowsSkipped == 1)
        #expect(report.skippedFile == nil)
        #expect(report.created.isEmpty)
        #expect(try opCount(replica) == before)
        #expect(try count(replica, "SELECT count(*) FROM import_keys") == 0)
        #expect(!FileManager.default.fileExists(atPath: folder + "/roster.skipped.csv"))
        #expect(try await importing(replica, path, dryRun: true).refused)
    }

    @Test("an ID number registered by other means, or in two households of the file, is a bad row")
    func registeredElsewhere() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        var household = HouseholdInput()
        household.village = "421281101009"
        household.address = "别处"
        household.type = "rural"
        let elsewhere = try replica.replica.addHousehold(household, author: "w", nowMillis: Self.now)
        var member = MemberInput()
        member.household = elsewhere.value
        member.name = "李强"
        member.idNumber = Self.spouse
        member.relation = "head"
        let registered = try replica.replica.addMember(member, author: "w", nowMillis: Self.now)
        let before = try opCount(replica)
        var rows = Self.goodRows
        rows.append("421281101003,0003,某地,农村,,,王二,\(Self.neighbour),户主,,,,")
        rows.append("421281101004,0004,某地,农村,,,王二,\(Self.neighbour),户主,,,,")
        let report = try await importing(replica, try write(Self.csv(rows), to: folder + "/roster.csv"))
        #expect(report.refused)
        let spouseProblem = try #require(report.problems.first { $0.line == 4 })
        #expect(spouseProblem.field == "身份证号")
        #expect(spouseProblem.reason.contains("already registered as \(registered)"))
        #expect(Set(report.problems.filter { $0.reason.contains("two households") }.map(\.line)) == [7, 8])
        assertNoSensitiveDigits(report)
        #expect(try opCount(replica) == before)
    }

    @Test("unknown and missing headers are refused naming them; a node replica is refused")
    func headersAndRole() async throws {
        let folder = try directory()
        let replica = try hub(folder)
        // 备注 (remarks) and 序号 are a roster's own columns, ignored; 籍贯 is unknown.
        let header = "序号,区划代码,户号,地址,姓名,身份证号,与户主关系,备注,籍贯,救助项目"
        let path = try write(Self.csv([], header: header), to: folder + "/roster.csv")
        do throws(RosterImportError) {
            _ = try await replica.importRoster(file: path, author: "w", nowMillis: Self.now)
            Issue.record("a roster with unknown and missing headers was accepted")
        } catch {
            guard case .columns(_, let unknown, let missing, _) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(unknown == ["籍贯"])
            #expect(missing == ["户类型", "月保障金额", "起始年月"])
            #expect(error.description.contains("籍贯") && !error.description.contains("备注"))
        }
        // English headers work as well.
        let english = "village,household_no,address,type,name,id_number,relation,program,amount,start"
        let englishPath = try write(
            Self.csv(["421281101001,7,Main St,rural,Li,\(Self.head),head,dibao_rural,560,2026-01"], header: english),
            to: folder + "/en.csv")
        #expect(try await importing(replica, englishPath).enrollmentsCreated == 1)
        // A node's replica cannot import a roster: `importRoster` exists only on the hub's ledger.
    }
}
