import Foundation
import Testing

/// Long runs say how far they have got on a terminal, and nothing of it reaches a pipe.
@Suite("Progress lines: on a terminal only")
struct CLIProgressTests {
    @Test("through pipes, generate prints the hub's path first and nothing on standard error")
    func quietThroughPipes() throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        let generated = try cli.ok([
            "hub", "generate", "--profile", "small-county", "--out", out, "--seed", "3", "--scale", "0.01",
            "--month", "2026-11",
        ])
        #expect(generated.firstLine == out + "/hub.db")
        #expect(generated.stderr.isEmpty, "\(generated.stderr)")
        let roll = try cli.ok([
            "hub", "payroll", "--db", out + "/hub.db", "--month", "2026-11", "--out", cli.directory + "/roll.csv",
        ])
        #expect(roll.firstLine == cli.directory + "/roll.csv")
        #expect(!roll.stderr.contains("\r"))
    }

    @Test("on a terminal (a pseudo-terminal from script(1)), generate and the roll show their progress")
    func shownOnATerminal() throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        let command = [
            CLIRunner.binary, "hub", "generate", "--profile", "small-county", "--out", out, "--seed", "3",
            "--scale", "0.01", "--month", "2026-11",
        ].map { "'\($0)'" }.joined(separator: " ")
        let terminal = try Self.onTerminal(command, in: cli.directory)
        #expect(terminal.contains("\rgenerating: township"), "\(terminal.prefix(400))")
        #expect(terminal.contains(out + "/hub.db"))
        let roll = [
            CLIRunner.binary, "hub", "payroll", "--db", out + "/hub.db", "--month", "2026-11", "--out",
            cli.directory + "/roll.csv", "--worker", "w",
        ].map { "'\($0)'" }.joined(separator: " ")
        let shown = try Self.onTerminal(roll, in: cli.directory)
        #expect(shown.contains("\r2026-11: reading the county's enrollments"))
        #expect(shown.contains("\r2026-11: writing the files"))
    }

    /// Runs `command` under script(1), whose pseudo-terminal is every standard stream of the
    /// command, and returns what the terminal received.
    static func onTerminal(_ command: String, in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "script(1) ran \(command)")
        return String(decoding: data, as: UTF8.self)
    }
}
