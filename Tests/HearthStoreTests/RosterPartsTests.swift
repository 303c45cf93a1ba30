import Foundation
import GRDB
import HearthCore
@testable import HearthLedger
import Testing

@testable import HearthStore

/// A roster written in parts (``CountyEditing/settle()``), so that a county's roster does not
/// hold every op and state in memory until it commits, writes what the same roster written as
/// one part writes: the same records, rows, rule cases, search index and roll.
extension RosterImportTests {
    /// A roster of `households` households over three villages, seeded: heads (some missing,
    /// so the county has household-structure cases), spouses and children, some without an ID
    /// number, a disability grade here and there, and dibao or a disability allowance for some.
    static func roster(households: Int, from first: Int = 0, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        var rows: [String] = []
        for number in first..<(first + households) {
            let village = "42128110100\(1 + number % 3)"
            let roles = random.next() % 7 == 0 ? ["子", "女"] : ["户主", "配偶", "子"]
            for (position, relation) in roles.enumerated() {
                let born = String(format: "19%02d0%d1%d", 40 + number % 50, 1 + position, number % 10)
                let sequence = String(format: "%03d", (number * 3 + position) % 1000)
                let idNumber = random.next() % 11 == 0 ? "" : "\t" + id("421281\(born)\(sequence)")
                let grade = random.next() % 5 == 0 ? "\(1 + random.next() % 4)" : ""
                // The program, amount, first month and 特批理由: an implausible amount or an urban
                // program for a rural household imported on the county's override (R6).
                let program: String
                switch random.next() % 8 {
                case 0, 1: program = "农村低保,560,2026-0\(1 + number % 9),"
                case 2 where !grade.isEmpty: program = "困难残疾人生活补贴,80,2026-03,"
                case 3: program = "农村低保,5600,2026-02,大病救助 县局批复"
                case 4: program = "城市低保,700,2026-04,户籍待迁"
                default: program = ",,,"
                }
                let household =
                    position == 0
                    ? "\(village),\(String(format: "%04d", number)),村\(number)号,农村,1380000\(String(format: "%04d", number)),"
                    : "\(village),\(String(format: "%04d", number)),,,,"
                rows.append("\(household),成员\(number)-\(position),\(idNumber),\(relation),\(grade),\(program)")
            }
        }
        return rows
    }

    /// What an import left in a hub, with every record id written as the import key that made
    /// it: the same on two hubs (whose ids differ) exactly when they hold the same records.
    /// The keyed hashes of `numbers` (the hub's own) are written as the numbers.
    func written(_ hub: HubLedger, numbers: [String]) throws -> [String: [String]] {
        let hashes = numbers.map { (hub.keys.digest($0), "#\($0)") }
        return try hub.replica.read { db in
            let keys = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT record, key FROM import_keys").map {
                    ($0[0] as String, $0[1] as String)
                })
            // Longest first: no id is replaced inside a longer one.
            let ids = keys.keys.sorted { $0.count > $1.count }
            func named(_ text: String) -> String {
                let text = ids.reduce(text) { $0.replacingOccurrences(of: $1, with: "<\(keys[$1]!)>") }
                return hashes.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
            }
            func lines(_ sql: String) throws -> [String] {
                try Row.fetchAll(db, sql: sql).map { row in
                    named(row.databaseValues.map { $0.isNull ? "∅" : "\($0.storage)" }.joined(separator: "|"))
                }.sorted()
            }
            return [
                "households": try lines(
                    "SELECT id, village, address, type, phone, status, population, head, bank_card_hash, conflicts FROM households"
                ),
                "members": try lines(
                    """
                    SELECT id, household, village, name, relation, vital_status, sex, birth_date, disability_grade,
                        id_number_hash, conflicts FROM members
                    """),
                "enrollments": try lines(
                    "SELECT id, member, household, village, program, status, decision, approver, amount, start_month, conflicts FROM enrollments"
                ),
                "cases": try lines("SELECT subject, rule, kind, village, records, detail, holds FROM rule_cases"),
                "decisions": try lines("SELECT kind, record, field, rule, choice, note, worker FROM decisions"),
                "search": try lines("SELECT gram, record FROM search_grams"),
                "counts": [
                    "ops \(try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? -1)",
                    "unindexed \(try Int.fetchOne(db, sql: "SELECT count(*) FROM search_dirty") ?? -1)",
                    "unjudged \(try Int.fetchOne(db, sql: "SELECT count(*) FROM rule_case_dirty") ?? -1)",
                    "keys \(keys.count)",
                ],
            ]
        }
    }

    @Test(
        "a roster settled in parts of a few records writes what one part writes: records, rows, cases, search, roll",
        arguments: [1, 7, 50])
    func inParts(recordsPerPart: Int) async throws {
        let folder = try directory()
        let first = Self.roster(households: 40, seed: 17)
        // A longer file later: more households, and more members for households imported
        // before (their population counted again, a head added where there was none).
        var more = first + Self.roster(households: 12, from: 40, seed: 18)
        for number in 0..<8 {
            let key = "42128110100\(1 + number % 3),\(String(format: "%04d", number))"
            let headless = !first.contains { $0.hasPrefix(key + ",") && $0.contains(",户主,") }
            let idNumber = Self.id("42128120100101\(String(format: "%03d", 900 + number))")
            more.append("\(key),,,,,新成员\(number),\t\(idNumber),\(headless ? "户主" : "子"),,农村低保,560,2026-06,")
        }
        let header = Self.header + ",特批理由"
        let firstFile = try write(Self.csv(first, header: header), to: folder + "/roster.csv")
        let moreFile = try write(Self.csv(more, header: header), to: folder + "/roster-more.csv")
        // The keyed hashes of the ID numbers differ from hub to hub (each has its own key).
        let numbers = more.map { $0.split(separator: ",", omittingEmptySubsequences: false)[7] }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        let whole = try hub(folder, name: "whole")
        let parted = try hub(folder, name: "parted")
        for (file, month) in [(firstFile, "2026-10"), (moreFile, "2026-11")] {
            var reports: [RosterImportReport] = []
            for (hub, part) in [(whole, 1_000_000), (parted, recordsPerPart)] {
                let table = try SpreadsheetTable.read(path: file)
                reports.append(
                    try await hub.importRoster(
                        table, dryRun: false, skipInvalid: true, author: "county-admin", nowMillis: Self.now,
                        progress: nil, recordsPerPart: part))
            }
            #expect(reports[0].recordsCreated > 0)
            #expect(reports[0].recordsCreated == reports[1].recordsCreated)
            #expect(reports[0].created.count == reports[1].created.count)
            #expect(reports[0].problems.map(\.description) == reports[1].problems.map(\.description))
            let (expected, found) = (try written(whole, numbers: numbers), try written(parted, numbers: numbers))
            #expect(!(expected["decisions"] ?? []).isEmpty, "the county's rules keep the overrides")
            for table in expected.keys.sorted() {
                #expect(found[table] == expected[table], "\(file): \(table)")
            }
            let rolls = try [whole, parted].map {
                try $0.replica.payroll(for: try Month.parse(month, field: "month"), nowMillis: Self.now)
            }
            #expect(rolls[0].rows.count > 0)
            #expect(rolls[0].rows.count == rolls[1].rows.count && rolls[0].total == rolls[1].total)
        }
    }
}
