import Foundation
import Testing
import HearthTestSupport

/// Long runs say how far they have got on a terminal, and nothing of it reaches a pipe.
@Suite("Progress lines: on a terminal only")
struct CLIProgressTests {
    @Test("through pipes, generate prints the hub's path first and nothing on standard error")
    func quietThroughPipes() async throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        let generated = try await cli.ok([
            "hub", "generate", "--profile", "small-county", "--out", out, "--seed", "3", "--scale", "0.01",
            "--month", "2026-11",
        ])
        #expect(generated.firstLine == out + "/hub.db")
        #expect(generated.stderr.isEmpty, "\(generated.stderr)")
        let roll = try await cli.ok([
            "hub", "payroll", "--db", out + "/hub.db", "--month", "2026-11", "--out", cli.directory + "/roll.csv",
        ])
        #expect(roll.firstLine == cli.directory + "/roll.csv")
        #expect(!roll.stderr.contains("\r"))
    }

    @Test("on a terminal (a pseudo-terminal from script(1)), generate and the roll show their progress")
    func shownOnATerminal() async throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        let command = [
            CLIRunner.binary, "hub", "generate", "--profile", "small-county", "--out", out, "--seed", "3",
            "--scale", "0.01", "--month", "2026-11",
        ].map { "'\($0)'" }.joined(separator: " ")
        let terminal = try await Self.onTerminal(command, in: cli.directory)
        #expect(terminal.contains("\rgenerating: township"), "\(terminal.prefix(400))")
        #expect(terminal.contains(out + "/hub.db"))
        let roll = [
            CLIRunner.binary, "hub", "payroll", "--db", out + "/hub.db", "--month", "2026-11", "--out",
            cli.directory + "/roll.csv", "--worker", "w",
        ].map { "'\($0)'" }.joined(separator: " ")
        let shown = try await Self.onTerminal(roll, in: cli.directory)
        #expect(shown.contains("\r2026-11: computing what each enrollment is owed"))
        #expect(shown.contains("\r2026-11: writing the files"))
    }

    @Test("a roster import shows what it reads and writes on a terminal, and nothing through a pipe")
    func rosterImport() async throws {
        let cli = try CLIRunner()
        _ = try await cli.ok(["hub", "init", "--name", "宜城市", "--scope", "421281"])
        let header = "区划代码,户号,地址,户类型,姓名,身份证号,与户主关系,救助项目,月保障金额,起始年月"
        let rows = (1...3).map {
            let id = CLIRosterTests.id("4212811980010100\($0)")
            return "421281101001,000\($0),新庄村\($0)号,农村,王\($0)英,\(id),户主,农村低保,560,2026-01"
        }
        let path = cli.directory + "/roster.csv"
        try Data(([header] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))

        let piped = try await cli.ok(["hub", "import-roster", path, "--dry-run"])
        #expect(piped.firstLine == "9")
        #expect(!piped.stderr.contains("\r"), "\(piped.stderr)")
        let command = [
            CLIRunner.binary, "--lang", "zh", "hub", "import-roster", path, "--db", cli.database, "--worker", "w",
        ].map { "'\($0)'" }.joined(separator: " ")
        let shown = try await Self.onTerminal(command, in: cli.directory)
        #expect(shown.contains("\rroster.csv：正在读取"), "\(shown.prefix(400))")
        // 3 households, 3 members, 3 enrollments, the last one always shown.
        #expect(shown.contains("\rroster.csv：正在写入记录 9/9"), "\(shown.prefix(600))")
        // The line is cleared before the count of records created is printed.
        #expect(shown.contains("\r\u{1B}[K9\r\n"), "\(shown.suffix(300).debugDescription)")
    }

    /// Runs `command` under script(1), whose pseudo-terminal is every standard stream of the
    /// command, and returns what the terminal received.
    static func onTerminal(_ command: String, in directory: String) async throws -> String {
        try await offPool { try onTerminalBlocking(command, in: directory) }
    }

    private static func onTerminalBlocking(_ command: String, in directory: String) throws -> String {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardError = .null
        process.standardInput = .null
        let text = try process.outputs().text.standardOutput
        #expect(process.terminationStatus == 0, "script(1) ran \(command)")
        return text
    }
}
