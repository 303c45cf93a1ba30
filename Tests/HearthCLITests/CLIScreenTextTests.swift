import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Testing

/// Values from other replicas reach the administrator's terminal through `show`, `log` and
/// `hub quarantine`. The CLI refuses control characters when it writes, but ops from elsewhere may
/// carry them (an older replica, a hostile one), so the tests put them in through
/// `Replica.integrate` and the hub's push path directly, then run the real binary.
@Suite("What the CLI prints cannot forge a line on the administrator's screen")
struct CLIScreenTextTests {
    static let village = "421281101001"
    static let now: Int64 = 1_795_600_000_000
    /// A line break followed by a forged line, a right-to-left override, and an escape sequence
    /// that would clear the screen.
    static let hostile = "一组\n2026-11-26 10:00:00  county  approved\u{202E}dekcol\u{1B}[2J\u{2066}x\u{0085}"
    static let hostileAuthor = "w1\r\u{202E}nimda"

    /// Scalars a terminal acts on; none may reach the screen raw, except the line feeds that end lines.
    static func rawControls(_ text: String) -> [UInt32] {
        text.unicodeScalars.filter { scalar in
            scalar != "\n"
                && (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                    || [0x061C, 0x200E, 0x200F, 0x2028, 0x2029].contains(scalar.value)
                    || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value))
        }.map(\.value)
    }

    /// A household made on another replica, its creating op rewritten to carry hostile text.
    static func hostileHousehold(directory: String) throws -> (RecordID, Op) {
        let other = try Replica.create(
            path: directory + "/other.db", name: "other", scope: try ScopePrefix.parse(village, field: "scope"),
            nowMillis: now)
        var input = HouseholdInput()
        input.village = village
        input.address = "一组"
        input.type = "rural"
        let home = try other.addHousehold(input, author: "w1", nowMillis: now)
        let made = try #require(try other.log(record: home).first?.op)
        var fields = made.fields
        fields["address"] = .text(hostile)
        let forged = Op(
            dot: made.dot, hlc: made.hlc, author: hostileAuthor, origin: made.origin, record: made.record,
            scope: made.scope, fields: fields, context: made.context, previous: made.previous, cause: hostile)
        return (home, forged)
    }

    @Test("show, show --history and log print control characters and bidi overrides from a record as escapes")
    func showAndLog() async throws {
        let cli = try CLIRunner()
        try await cli.ok(["node", "init", "--name", "v", "--scope", Self.village])
        let (home, forged) = try Self.hostileHousehold(directory: cli.directory)
        let report = try Replica.open(path: cli.database).integrate([forged], nowMillis: Self.now)
        #expect(report.applied == 1)

        for arguments in [["show", home.value], ["show", home.value, "--history"], ["log"], ["household", "list"]] {
            let out = try await cli.ok(arguments).stdout
            #expect(
                Self.rawControls(out).isEmpty, "hearth \(arguments.joined(separator: " ")): \(Self.rawControls(out))")
            #expect(
                !out.split(separator: "\n").contains { $0.hasPrefix("2026-11-26 10:00:00  county") },
                "no forged line in hearth \(arguments.joined(separator: " "))")
        }
        let shown = try await cli.ok(["show", home.value]).stdout
        #expect(
            shown.contains("一组\\u{A}2026-11-26 10:00:00  county  approved\\u{202E}dekcol\\u{1B}[2J\\u{2066}x\\u{85}"))
        let history = try await cli.ok(["show", home.value, "--history"]).stdout
        #expect(history.contains("w1\\u{D}\\u{202E}nimda"))
        #expect(try await cli.ok(["log"]).stdout.contains("w1\\u{D}\\u{202E}nimda"))

        // JSON stays JSON: the same value, with the characters a terminal acts on as \u escapes.
        let json = try await cli.ok(["show", home.value, "--json"]).stdout
        #expect(Self.rawControls(json).isEmpty)
        #expect(json.contains("\\u202e"))
        #expect(
            try JSON.parse(json.trimmingCharacters(in: .whitespacesAndNewlines))["fields"]?["address"]?.stringValue
                == Self.hostile)
        let log = try await cli.ok(["log", "--json"]).stdout
        #expect(Self.rawControls(log).isEmpty)
        #expect(
            try JSON.parse(log.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue?.first?["op"]?["author"]?
                .stringValue == Self.hostileAuthor)
    }

    @Test("hub quarantine prints a refused op's author and reason with control characters escaped")
    func quarantine() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let (_, forged) = try Self.hostileHousehold(directory: cli.directory)
        // A field whose very name forges a line: the hub's reason quotes field names.
        var fields = forged.fields
        fields["x\n3f9a2c71b0d4:17  released"] = .text("1")
        let refused = Op(
            dot: forged.dot, hlc: forged.hlc, author: forged.author, origin: forged.origin, record: forged.record,
            scope: forged.scope, fields: fields, context: forged.context, previous: forged.previous, cause: forged.cause
        )
        let hub = try HubLedger.open(path: hubDB)
        let secret = try await hub.createEnrollment(
            name: "v", scope: try ScopePrefix.parse(Self.village, field: "scope"), nowMillis: Self.now)
        let node = try await hub.register(
            secret: secret, replica: forged.dot.replica, publicKey: "unused-in-this-test", nowMillis: Self.now)
        let outcome = try await hub.acceptPush(from: node, ops: [refused], nowMillis: Self.now) { _ in
            "refused by the test: \(Self.hostile)"
        }
        #expect(outcome.quarantined.count == 1)

        let listed = try await cli.ok(["hub", "quarantine", "--db", hubDB]).stdout
        #expect(Self.rawControls(listed).isEmpty, "\(Self.rawControls(listed))")
        #expect(listed.contains("w1\\u{D}\\u{202E}nimda"))
        #expect(!listed.split(separator: "\n").contains { $0.hasPrefix("3f9a2c71b0d4:17") })
        let json = try await cli.ok(["hub", "quarantine", "--db", hubDB, "--json"]).stdout
        #expect(Self.rawControls(json).isEmpty)
        #expect(
            try JSON.parse(json.trimmingCharacters(in: .whitespacesAndNewlines)).arrayValue?.first?["author"]?
                .stringValue == Self.hostileAuthor)
    }
}
