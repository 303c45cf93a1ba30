import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthLedger
@testable import HearthStore

/// The roster's real-file cases on CSV, one rule at a time (the same files as .xlsx made by
/// LibreOffice are imported in CLISheetsTests).
@Suite("Rosters as they really come")
struct RosterAsItComesTests {
    let helper = RosterImportTests()
    static let header = "序号,区划代码,户号,地址,户类型,姓名,身份证号,与户主关系,救助项目,月保障金额,起始年月,备注"
    static func id(_ first17: String) -> String { RosterImportTests.id(first17) }
    static let a = id("42128119800101001")
    static let b = id("42128119820305002")
    static let c = id("42128119600101003")
    static let d = id("42128119700101004")

    func run(_ rows: [String], skipInvalid: Bool = false) async throws -> (RosterImportReport, HubLedger) {
        let folder = try helper.directory()
        let hub = try helper.hub(folder)
        let path = try helper.write(RosterImportTests.csv(rows, header: Self.header), to: folder + "/roster.csv")
        return (try await helper.importing(hub, path, skipInvalid: skipInvalid), hub)
    }

    @Test("合计, 小计 and 总计 rows are left out and listed, whichever column holds the word; a person's row never is")
    func totals() async throws {
        let (report, hub) = try await run([
            "1,421281101001,001,新庄村1号,农村,王秀英,\(Self.a),户主,农村低保,560,2026-01,",
            "2,421281101001,001,,,李强,\(Self.b),配偶,农村低保,560,2026-01,小计在下",
            ",新庄村小计,,,,,,,,1120,,",
            "3,421281101002,002,河湾村1号,农村,合计,\(Self.c),户主,,,,",
            "合 计,,,,,,,,,1120,,",
            ",,,,,总计,,,,1120,,",
        ])
        #expect(!report.refused, "\(report.problems)")
        #expect(report.totalRows == [4, 6, 7])
        // 合计 as a person's name with an ID number is a person; 合 计 (with a blank) in 序号 is a total.
        #expect(report.membersCreated == 3)
        #expect(report.rows == 6)
        _ = hub
    }

    @Test("blank 区划代码 and 户号 are taken from the row above, 户号 only within the same village, never across a 小计")
    func fillDown() async throws {
        let (report, hub) = try await run([
            "1,421281101001,001,新庄村1号,农村,王秀英,\(Self.a),户主,,,,",
            "2,,,,,李强,\(Self.b),配偶,,,,",
            "3,421281101002,,河湾村1号,农村,张三,\(Self.c),户主,,,,",
            ",小计,,,,,,,,,,",
            "4,,002,河湾村2号,农村,赵六,\(Self.d),户主,,,,",
        ])
        #expect(report.filledDown == [3])
        let fields = Set(report.problems.map { "\($0.line) \($0.field)" })
        #expect(fields == ["4 户号", "6 区划代码"], "\(report.problems)")
        #expect(report.problems.allSatisfy { $0.reason.contains("row above") })
        #expect(try helper.count(hub, "SELECT count(*) FROM households") == 0)
    }

    @Test("户号 001 and 1 are one household, in one file and across imports")
    func leadingZeros() async throws {
        let (report, hub) = try await run([
            "1,421281101001,001,新庄村1号,农村,王秀英,\(Self.a),户主,,,,",
            "2,421281101001,1,,,李强,\(Self.b),配偶,,,,",
            "3,421281101001,0010,新庄村9号,农村,张三,\(Self.c),户主,,,,",
        ])
        #expect(!report.refused, "\(report.problems)")
        #expect(report.householdsCreated == 2)
        let folder = try helper.directory()
        let more = try helper.write(
            RosterImportTests.csv(["5,421281101001,01,,,赵六,\(Self.d),子,,,,"], header: Self.header),
            to: folder + "/more.csv")
        let again = try await helper.importing(hub, more)
        #expect(again.householdsCreated == 0 && again.membersCreated == 1, "\(again.problems)")
    }

    @Test("a household imported before 户号 were canonical (keyed 0001) is found again, with its people and programs")
    func legacyKeys() async throws {
        let folder = try helper.directory()
        let hub = try helper.hub(folder)
        let path = try helper.write(
            RosterImportTests.csv(
                [
                    "1,421281101001,0001,新庄村1号,农村,王秀英,\(Self.a),户主,农村低保,560,2026-01,",
                    "2,421281101001,0001,,,王小宝,,子,农村低保,560,2026-01,",
                ], header: Self.header), to: folder + "/roster.csv")
        let first = try await helper.importing(hub, path)
        #expect(first.householdsCreated == 1 && first.membersCreated == 2 && first.enrollmentsCreated == 2)
        // As an earlier version keyed them: the 户号 as written.
        let queue = try DatabaseQueue(path: folder + "/hub.db")
        try await queue.write { db in
            try db.execute(sql: "UPDATE import_keys SET key = replace(key, '|421281101001|1', '|421281101001|0001')")
        }
        try queue.close()
        #expect(try helper.count(hub, "SELECT count(*) FROM import_keys WHERE key LIKE '%|0001%'") == 3)
        let again = try await helper.importing(hub, path)
        #expect(again.householdsCreated == 0 && again.membersCreated == 0 && again.enrollmentsCreated == 0)
        #expect(again.rowsAlreadyImported == 2, "\(again.problems)")
        #expect(try helper.count(hub, "SELECT count(*) FROM households") == 1)
    }

    @Test("official program names map to programs; a name for two programs says which to write")
    func programNames() throws {
        let names: [String: Program] = [
            "农村最低生活保障": .dibaoRural, "城市居民最低生活保障": .dibaoUrban, "特困人员分散供养": .tekunDispersed,
            "分散供养特困人员": .tekunDispersed, "特困人员集中供养": .tekunCentralized, "高龄补贴": .elderly,
            "孤儿基本生活费": .orphan, "重度残疾人护理补贴": .disabilityCare, "农村低保": .dibaoRural,
            "dibao_urban": .dibaoUrban,
        ]
        for (name, program) in names { #expect(try RosterRow.program(name, field: "救助项目") == program, "\(name)") }
        for name in ["残疾人两项补贴", "低保", "特困"] {
            #expect(throws: InputError.self) { try RosterRow.program(name, field: "救助项目") }
        }
        do {
            _ = try RosterRow.program("残疾人两项补贴", field: "救助项目")
        } catch { #expect(error.reason.contains("困难残疾人生活补贴") && error.reason.contains("重度残疾人护理补贴")) }
    }

    @Test("a head's refused row takes the household's other rows with it; a new household needs a 户主 row")
    func heads() async throws {
        let wrong = String(Self.a.dropLast()) + (Self.a.last == "1" ? "2" : "1")
        let (report, hub) = try await run(
            [
                "1,421281101001,001,新庄村1号,农村,王秀英,\(wrong),户主,农村低保,560,2026-01,",
                "2,421281101001,001,,,李强,\(Self.b),配偶,农村低保,560,2026-01,",
                "3,421281101001,002,新庄村2号,农村,张三,\(Self.c),子,,,,",
                "4,421281101001,003,新庄村3号,农村,赵六,\(Self.d),户主,,,,",
            ], skipInvalid: true)
        #expect(report.rowsSkipped == 3)
        #expect(report.householdsCreated == 1 && report.membersCreated == 1)
        #expect(
            report.problems.contains {
                $0.line == 3 && $0.field == "与户主关系" && $0.reason.contains("head's row (line 2) was refused")
            })
        #expect(report.problems.contains { $0.line == 4 && $0.reason.contains("no row whose 与户主关系 is 户主") })
        #expect(try helper.count(hub, "SELECT count(*) FROM members") == 1)
        #expect(try helper.count(hub, "SELECT count(*) FROM households WHERE head IS NULL") == 0)
    }
}
