import Foundation
import HearthCore
import Testing

/// A whole month at the county, as a clerk types it: register a household and its people,
/// find a member by ID number, enroll the household, approve by ID number and by name, record a
/// death, then the report and the roll. Once in Chinese, once in English.
@Suite("A month through the CLI, in Chinese and in English")
struct CLIMonthTests {
    static let headID = "421281198001010011"
    static let fatherID = "11010519491231002X"

    /// Runs the month with `--lang language`; every line printed (stdout and stderr), and the
    /// directory the roll was written to.
    func month(_ language: String) async throws -> (output: String, cli: CLIRunner) {
        let cli = try CLIRunner()
        var output = ""
        func run(_ arguments: [String]) async throws -> CLIRunner.Result {
            let result = try await cli.run(["--lang", language] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            output += result.stdout + result.stderr
            return result
        }
        _ = try await run(["hub", "init", "--name", "赤壁市", "--scope", "421281"])
        _ = try await run(["hub", "division", "set", "421281101", "沙河镇"])
        _ = try await run(["hub", "division", "set", "421281101001", "新庄村"])
        let household = try await run([
            "household", "add", "--village", "421281101001", "--address", "新庄村三组12号", "--type",
            language == "zh" ? "农村" : "rural", "--bank-card", "6217002710000001234",
        ]).firstLine
        let head = try await run([
            "member", "add", "--household", household, "--name", "王秀英", "--id-number", Self.headID, "--relation",
            language == "zh" ? "户主" : "head",
        ]).firstLine
        // The household named by its head's name.
        _ = try await run([
            "member", "add", "--household", "王秀英", "--name", "王德顺", "--id-number", Self.fatherID, "--relation",
            language == "zh" ? "父母" : "parent",
        ])
        let found = try await run(["find", Self.headID])
        #expect(found.stdout.contains(head))
        let enrolled = try await run([
            "enroll", "--household", "王秀英", "--program", language == "zh" ? "农村低保" : "dibao_rural", "--amount",
            "560", "--start", "2026-10",
        ]).stdout.split(separator: "\n").map(String.init)
        #expect(enrolled.count == 2)
        // Approved by the head's ID number and by the father's name: each has one application.
        let approvedHead = try await run(["approve", Self.headID]).firstLine
        let approvedFather = try await run(["approve", "王德顺"]).firstLine
        #expect(Set([approvedHead, approvedFather]) == Set(enrolled))
        let death = try await run(["death", "--member", Self.fatherID, "--date", "2026-11-20"])
        #expect(death.stdout.contains(approvedFather))
        let report = try await run(["hub", "report", "--month", "2026-11"])
        #expect(report.stdout.contains("421281101 沙河镇"))
        #expect(report.stdout.contains("1120.00"))
        let roll = try await run(["hub", "payroll", "--month", "2026-11", "--out", cli.directory + "/roll.csv"])
        #expect(roll.firstLine == cli.directory + "/roll.csv")
        #expect(roll.stdout.contains("1120.00"))
        // Neither ID number was ever printed.
        #expect(!output.contains(Self.headID))
        #expect(!output.contains(Self.fatherID))
        return (output.replacingOccurrences(of: cli.directory, with: "DIR"), cli)
    }

    @Test("in Chinese, no English word is printed but ids, codes, file names and command names")
    func chinese() async throws {
        let (output, _) = try await month("zh")
        #expect(output.contains("已为县 421281 创建县级中心 赤壁市"))
        #expect(output.contains("健在"))
        #expect(output.contains("交银行 1 笔"))
        let english = CLILanguageTests.englishWords(
            in: output, allowing: ["DIR", "hub", "db", "key", "roll", "csv", "no-card", "recovery", "summary"])
        #expect(english.isEmpty, "English left in the Chinese month: \(english)\n\(output)")
    }

    @Test("in English, the same month in English words")
    func english() async throws {
        let (output, _) = try await month("en")
        #expect(output.contains("hub 赤壁市 created for county 421281"))
        #expect(output.contains("lines to the bank"))
        #expect(!output.contains("交银行"))
        #expect(!output.contains("已终止"))
    }
}
