import Foundation
import HearthCore
import Testing

@Suite("County settings from the command line")
struct CLISettingTests {
    @Test(
        "hub setting set prints the setting's id, refuses an unknown value by name, and every replica lists the value")
    func settings() async throws {
        let cli = try CLIRunner()
        let hub = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hub, "--name", "赤壁市", "--scope", "421281"])
        let defaults = try #require(try await cli.ok(["hub", "setting", "list", "--db", hub, "--json"]).json)
        #expect(defaults["death_month"]?["value"]?.stringValue == "paid")
        #expect(defaults["death_month"]?["default"] == .bool(true))

        let set = try await cli.ok(["hub", "setting", "set", "--db", hub, "death_month", "stopped", "--note", "县民政局文件"])
        #expect(set.firstLine.hasPrefix("C-"), "\(set.stdout)")
        let wrong = try await cli.run(["hub", "setting", "set", "--db", hub, "death_month", "sometimes"])
        #expect(wrong.status == 65)
        #expect(wrong.stderr.contains("death_month is one of paid, stopped"), "\(wrong.stderr)")
        let unknown = try await cli.run(["hub", "setting", "set", "--db", hub, "pay_day", "15"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("unknown setting"), "\(unknown.stderr)")

        // A node receives the setting with everything else under the county-wide code.
        let token = try await cli.ok(["hub", "enroll", "--db", hub, "--name", "沙河镇", "--scope", "421281101"]).firstLine
        let node = cli.directory + "/shahe.db"
        try await cli.ok(["node", "init", "--db", node, "--token", token])
        let up = cli.directory + "/up.hearth"
        try await cli.ok(["node", "export", "--db", node, "--out", up])
        try await cli.ok(["hub", "import", "--db", hub, up])
        let bundle = cli.directory + "/to-node.hearth"
        try await cli.ok(["hub", "export", "--db", hub, "--node", "沙河镇", "--out", bundle])
        try await cli.ok(["node", "import", "--db", node, bundle])
        let onNode = try #require(try await cli.ok(["settings", "--db", node, "--json"]).json)
        #expect(onNode["death_month"]?["value"]?.stringValue == "stopped")
        #expect(onNode["death_month"]?["note"]?.stringValue == "县民政局文件")
        #expect(onNode["top_up_raise"]?["default"] == .bool(true))
    }
}
