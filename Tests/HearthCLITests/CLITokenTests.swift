import Foundation
import HearthCore
import Testing

@Suite("An enrollment token need not appear on the command line")
struct CLITokenTests {
    @Test("a token given by file or on standard input enrolls a node, and never needs the command line")
    func tokenFromFileOrStandardInput() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let (hub, url) = try await CLIRunner.startHub(database: hubDB)
        defer {
            hub.terminate()
            hub.waitUntilExit()
        }

        // From a file, registering at once over HTTP.
        let first = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "a", "--scope", "421281101001"])
            .firstLine
        let tokenFile = cli.directory + "/a.token"
        try (first + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let viaFile = try await cli.ok([
            "node", "init", "--db", cli.directory + "/a.db", "--token-file", tokenFile, "--hub", url,
        ])
        #expect(viaFile.stdout.contains("registered with the hub"))
        try await cli.ok(["node", "sync", "--db", cli.directory + "/a.db"])

        // From standard input ('-'), for a node that syncs by file.
        let second = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "b", "--scope", "421281101002"])
            .firstLine
        let viaInput = try await cli.run(
            ["node", "init", "--db", cli.directory + "/b.db", "--token-file", "-"], input: second + "\n")
        #expect(viaInput.status == 0, "\(viaInput.stderr)")
        #expect(viaInput.stdout.contains("enrolled for file sync"))
        let status = try #require(try await cli.ok(["status", "--db", cli.directory + "/b.db", "--json"]).json)
        #expect(status["scope"]?.stringValue == "421281101002")
        #expect(status["hub"] != .null)

        // --token still works; both at once, an empty input or a missing file are refused.
        let third = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "c", "--scope", "421281101003"])
            .firstLine
        let both = try await cli.run([
            "node", "init", "--db", cli.directory + "/c.db", "--token", third, "--token-file", tokenFile,
        ])
        #expect(both.status == 2)
        #expect(both.stderr.contains("not both"))
        let empty = try await cli.run(
            ["node", "init", "--db", cli.directory + "/c.db", "--token-file", "-"], input: "\n")
        #expect(empty.status == 65)
        #expect(empty.stderr.contains("standard input is empty"))
        let missing = try await cli.run([
            "node", "init", "--db", cli.directory + "/c.db", "--token-file", cli.directory + "/none",
        ])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("token-file"))
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/c.db"), "nothing created when refused")
        try await cli.ok(["node", "init", "--db", cli.directory + "/c.db", "--token", third])

        // The help says why.
        let help = try await cli.run(["node", "init", "--help"])
        #expect(help.stdout.contains("--token-file"))
        #expect(help.stdout.contains("ps"))
    }
}
