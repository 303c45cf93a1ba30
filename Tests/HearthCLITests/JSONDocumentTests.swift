import Foundation
import HearthCore
import Testing

@testable import hearth

/// `--json` documents are Codable types printed in Hearth's canonical JSON form: the same bytes
/// the hand-built `JSON` trees gave, and a script (or these tests) can decode them back.
@Suite("--json documents: Codable types in the canonical form")
struct JSONDocumentTests {
    struct Sample: Encodable {
        let text: String
        let keys: [String: Int64]
        let big: Int64
        let small: Int64
        @Nullable var none: String?
        let absent: String?
        let nested: [[String: Bool]]
    }

    static let sample = Sample(
        text: "新庄村/三组 \u{8}\u{C}\u{1}\"\\\n\t\r",
        keys: ["a10": 1, "a9": 2, "B": 3, "_": 4, "é": 5, "9c": 6, "12ab": 7],
        big: .max, small: .min, none: nil, absent: nil, nested: [["z": true, "a": false], [:]])

    @Test("a document is written as the canonical JSON writer writes the same value")
    func canonicalForm() throws {
        let text = try Output.jsonText(Self.sample)
        #expect(
            text
                == #"{"big":9223372036854775807,"keys":{"12ab":7,"9c":6,"B":3,"_":4,"a10":1,"a9":2,"é":5},"#
                + #""nested":[{"a":false,"z":true},{}],"none":null,"small":-9223372036854775808,"#
                + #""text":"新庄村/三组 \u0008\u000c\u0001\"\\\n\t\r"}"#)
        // The same document as a hand-built tree, as the commands used to print it.
        let tree = JSON.object([
            "text": .string(Self.sample.text),
            "keys": .object(Self.sample.keys.mapValues(JSON.integer)),
            "big": .integer(.max), "small": .integer(.min), "none": .null,
            "nested": .array([.object(["z": .bool(true), "a": .bool(false)]), .object([:])]),
        ])
        #expect(text == tree.canonicalText)
    }

    /// How documents were written before ``JSONTreeEncoder``: by `JSONEncoder`, parsed back
    /// into the tree and written canonically. The reference the tree encoder must equal.
    static func foundationText<Document: Encodable>(_ document: Document) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try JSON.parse(Array(try encoder.encode(document))).canonicalText
    }

    enum Shape: Encodable {
        case plain(String)
        case pair(Int8, UInt32)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .plain(let text):
                var container = encoder.singleValueContainer()
                try container.encode(text)
            case .pair(let first, let second):
                var container = encoder.unkeyedContainer()
                try container.encode(first)
                try container.encode(second)
                var nested = container.nestedContainer(keyedBy: AnyKey.self)
                try nested.encode(Double(2), forKey: AnyKey("double"))
                try nested.encodeNil(forKey: AnyKey("nothing"))
            }
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        init(_ text: String) { stringValue = text }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// The text collections the tree encoder makes at once, beside ones it encodes through
    /// their containers.
    struct Texts: Encodable {
        let fields: [String: String?]
        let names: [String: String]
        let list: [String]
        let lists: [[String]]
        let nested: [String: [String: String?]]
        let numbers: [String: Int64?]
    }

    struct Mixed: Encodable {
        let shapes: [Shape]
        let byNumber: [Int: [String?]]
        let flags: [Bool]
        let empty: [String: String]
        let embedded: EmbeddedJSON
        @Nullable var nothing: Int64?
        let unsigned: UInt64
    }

    @Test("the tree encoder writes every document byte for byte as JSONEncoder, parsed back, wrote it")
    func treeEncoderIsJSONEncoder() throws {
        let mixed = Mixed(
            shapes: [.plain("三组/东"), .pair(-3, 7), .plain("")], byNumber: [10: ["a", nil], 9: []],
            flags: [true, false], empty: [:],
            embedded: EmbeddedJSON(
                .object(["dot": .string("a:1"), "n": .integer(-1), "list": .array([.null, .bool(true)])])),
            nothing: nil, unsigned: 42)
        #expect(try Output.jsonText(mixed) == Self.foundationText(mixed))
        #expect(try Output.jsonText(Self.sample) == Self.foundationText(Self.sample))
        let texts = Texts(
            fields: ["name": "居民17-2", "note": nil, "": "", "b\"q": "x\ny", "Z": "\u{1}"],
            names: ["a": "1", "é": "—"], list: ["", "三组", "a/b"], lists: [[], ["x"]],
            nested: ["m": ["k": nil, "v": "w"], "e": [:]], numbers: ["n": nil, "o": 3])
        #expect(try Output.jsonText(texts) == Self.foundationText(texts))
        let empty = Texts(fields: [:], names: [:], list: [], lists: [], nested: [:], numbers: [:])
        #expect(try Output.jsonText(empty) == Self.foundationText(empty))
        #expect(try Output.jsonText(Nullables(value: nil)) == Self.foundationText(Nullables(value: nil)))
        #expect(try Output.jsonText(["x": [1, 2]]) == Self.foundationText(["x": [1, 2]]))
        // What the canonical form cannot hold is refused, not rounded.
        #expect(throws: EncodingError.self) { try Output.jsonText(["n": 1.5]) }
        #expect(throws: EncodingError.self) { try Output.jsonText(["n": UInt64.max]) }
    }

    @Test("a terminal control character in a value reaches the screen as a \\u escape, still the same JSON value")
    func terminalEscapes() throws {
        let value = ["note": "一组\u{202E}dekcol\u{85}\u{7F}"]
        let printed = ScreenText.jsonEscaped(try Output.jsonText(value))
        #expect(printed == #"{"note":"一组\u202edekcol\u0085\u007f"}"#)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(printed.utf8)) == value)
    }

    @Test("an array built one element at a time is the array encoded whole, escapes and all, and [] when empty")
    func arrayByElement() throws {
        let notes = [["note": "一组\u{202E}dekcol\u{85}\u{7F}"], ["note": "plain"], [:]]
        for count in 0...3 {
            var array = Output.JSONArray()
            var samples = Output.JSONArray()
            for index in 0..<count {
                try array.append(notes[index])
                try samples.append(Self.sample)
            }
            #expect(array.document == ScreenText.jsonEscaped(try Output.jsonText(Array(notes.prefix(count)))))
            #expect(
                samples.document
                    == ScreenText.jsonEscaped(try Output.jsonText(Array(repeating: Self.sample, count: count))))
        }
        #expect(Output.JSONArray().document == "[]")
    }

    @Test("every unsafe character's UTF-8 holds a byte the array's quick check looks for")
    func unsafeLeadBytes() {
        var missed: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), ScreenText.isUnsafe(scalar) else { continue }
            if !String(scalar).utf8.contains(where: ScreenText.mayBeginUnsafe) { missed.append(value) }
        }
        #expect(missed.isEmpty, "unsafe characters the quick check would let through: \(missed)")
    }

    @Test(
        "an element with safe characters on a flagged lead byte, or with each kind of unsafe one, is escaped as whole")
    func arrayEscapesEachKind() throws {
        let texts = [
            "张三—李四…", "\u{80}", "\u{9F}", "\u{61C}", "ا\u{61C}ب", "\u{200E}", "\u{2028}x", "\u{2069}",
            "\u{7F}", "‰※", "plain", "居民17-2",
        ]
        var array = Output.JSONArray()
        for text in texts { try array.append(["name": text]) }
        #expect(array.document == ScreenText.jsonEscaped(try Output.jsonText(texts.map { ["name": $0] })))
        let decoded = try JSONDecoder().decode([[String: String]].self, from: Data(array.document.utf8))
        #expect(decoded.map { $0["name"] } == texts)
    }

    struct Nullables: Codable, Equatable {
        @Nullable var value: String?
    }

    @Test("@Nullable writes null for nil, and reads null or a missing key as nil")
    func nullable() throws {
        #expect(try Output.jsonText(Nullables(value: nil)) == #"{"value":null}"#)
        #expect(try Output.jsonText(Nullables(value: "a")) == #"{"value":"a"}"#)
        #expect(try JSONDecoder().decode(Nullables.self, from: Data(#"{"value":null}"#.utf8)).value == nil)
        #expect(try JSONDecoder().decode(Nullables.self, from: Data("{}".utf8)).value == nil)
        #expect(try JSONDecoder().decode(Nullables.self, from: Data(#"{"value":"b"}"#.utf8)).value == "b")
    }

    // MARK: - Documents the binary prints

    static func id(_ first17: String) -> String { first17 + String(IDNumber.checkDigit(of: first17)!) }

    /// A hub holding a roster: a household of three (one without an ID number), two enrollments;
    /// with what the roster's import printed.
    static func county() async throws -> (cli: CLIRunner, rosterImport: String) {
        let cli = try CLIRunner()
        _ = try await cli.ok(["hub", "init", "--name", "宜城市", "--scope", "421281"])
        let header = "区划代码,户号,地址,户类型,一卡通账号,姓名,身份证号,与户主关系,救助项目,月保障金额,起始年月"
        let rows = [
            "421281101001,0001,新庄村三组12号/东,农村,\t6222000011112222,王秀英,\t\(id("42128119800101001")),户主,农村低保,560,2026-01",
            "421281101001,0001,,,,李强,\t\(id("42128119820305002")),配偶,农村低保,560,2026-01",
            "421281101001,0001,,,,王小宝,,子,,,",
        ]
        try Data(("\u{FEFF}" + ([header] + rows).joined(separator: "\r\n") + "\r\n").utf8)
            .write(to: URL(fileURLWithPath: cli.directory + "/roster.csv"))
        let imported = try await cli.ok(["hub", "import-roster", cli.directory + "/roster.csv", "--json"]).stdout
        _ = try await cli.ok([
            "hub", "standard", "set", "--program", "dibao_rural", "--from", "2026-12", "--amount", "600", "--note",
            "宜政发/2026",
        ])
        _ = try await cli.ok(["hub", "setting", "set", "death_month", "stopped"])
        return (cli, imported)
    }

    /// Decodes a printed `--json` document as `Document`, and checks that encoding it again
    /// prints the very same bytes.
    static func decoded<Document: Codable>(
        _ type: Document.Type, printed: String, _ label: String
    ) throws -> (document: Document, json: JSON) {
        #expect(printed.hasSuffix("\n") && printed.dropLast().allSatisfy { $0 != "\n" }, "one line: \(label)")
        let text = String(printed.dropLast())
        let document = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
        #expect(ScreenText.jsonEscaped(try Output.jsonText(document)) == text, "\(label) round trip")
        #expect(try Output.jsonText(document) == foundationText(document), "\(label): as JSONEncoder wrote it")
        return (document, try JSON.parse(text))
    }

    /// Runs a `--json` command and decodes its document (see above).
    static func decoded<Document: Codable>(
        _ type: Document.Type, _ cli: CLIRunner, _ arguments: [String]
    ) async throws -> (document: Document, json: JSON) {
        try decoded(type, printed: try await cli.ok(arguments).stdout, arguments.joined(separator: " "))
    }

    static func keys(_ json: JSON?) -> Set<String> { Set(json?.objectValue.map { Array($0.keys) } ?? []) }

    @Test("status, the roster import, records and the log decode back to their types, byte for byte, with their keys")
    func replicaDocuments() async throws {
        let (cli, rosterImport) = try await Self.county()
        let status = try await Self.decoded(StatusDocument.self, cli, ["status", "--json"])
        #expect(
            Self.keys(status.json) == [
                "replica", "name", "role", "scope", "scope_name", "records", "in_conflict", "open_rule_cases",
                "pending_id_numbers",
                "version_vector",
                "own_ops", "unsynced_ops", "waiting_ops", "log_size", "hub", "last_sync", "pull_cursor",
                "refused_by_hub", "conflicts", "on_hold", "county_decisions",
            ])
        #expect(status.document.records["members"] == 3 && status.document.pendingIDNumbers == 1)
        #expect(status.json["hub"] == .null && status.json["last_sync"] == .null)

        let imported = try Self.decoded(RosterImportDocument.self, printed: rosterImport, "hub import-roster")
        #expect(
            Self.keys(imported.json) == [
                "file", "encoding", "rows", "dry_run", "refused", "imported", "households_created", "members_created",
                "enrollments_created", "rows_already_imported", "members_without_id_number", "without_id_number",
                "rows_skipped", "total_rows_skipped", "filled_from_above", "skipped_file", "bad_rows",
            ])
        #expect(imported.document.membersCreated == 3 && imported.json["skipped_file"] == .null)
        #expect(Self.keys(imported.json["without_id_number"]?.arrayValue?.first) == ["line", "name", "member"])
        let again = try await Self.decoded(
            RosterImportDocument.self, cli, ["hub", "import-roster", cli.directory + "/roster.csv", "--json"])
        #expect(again.document.rowsAlreadyImported == 3 && again.document.membersCreated == 0)

        let households = try await Self.decoded([RecordDocument].self, cli, ["household", "list", "--json"])
        #expect(households.document.first?.fields["address"] == .some("新庄村三组12号/东"))
        #expect(households.document.first?.fields["note"] == .some(nil), "an unset field is null, not left out")
        #expect(
            Self.keys(households.json.arrayValue?.first) == [
                "id", "type", "fields", "conflicts", "concurrent", "village_name", "township_name",
            ])

        let enrollments = try await Self.decoded([RecordDocument].self, cli, ["enrollment", "list", "--json"])
        let enrollment = try #require(enrollments.document.first?.id)
        let shown = try await Self.decoded(RecordDocument.self, cli, ["show", enrollment, "--json", "--history"])
        #expect(
            Self.keys(shown.json) == [
                "id", "type", "fields", "conflicts", "concurrent", "history", "pays", "on_hold", "holds",
            ])
        #expect(shown.document.payment?.onHold == false && shown.document.history?.isEmpty == false)
        #expect(
            Self.keys(shown.json["history"]?.arrayValue?.first) == ["dot", "author", "at", "fields", "cause", "state"])

        let log = try await Self.decoded([LogDocument].self, cli, ["log", "--json"])
        #expect(log.document.count == Int(status.document.logSize))
        #expect(Self.keys(log.json.arrayValue?.first) == ["seq", "hash", "state", "op"])
        #expect(log.document.first?.op.value["dot"] != nil, "the op in its wire form")
    }

    @Test("standards, settings, the report, the roll and the audit trail decode back, byte for byte, with their keys")
    func countyDocuments() async throws {
        let cli = try await Self.county().cli
        let standards = try await Self.decoded([StandardDocument].self, cli, ["hub", "standard", "list", "--json"])
        let raise = try #require(standards.document.first { $0.from == "2026-12" })
        #expect(raise.amountYuan == "600.00" && raise.note == "宜政发/2026" && raise.band == nil)
        #expect(
            Self.keys(standards.json.arrayValue?.first) == ["id", "program", "band", "from", "amount_yuan", "note"])

        let settings = try await Self.decoded(
            [String: SettingDocument].self, cli, ["hub", "setting", "list", "--json"])
        #expect(
            settings.document["death_month"]?.value == "stopped" && settings.document["death_month"]?.default == false)
        #expect(settings.document["top_up_raise"]?.default == true && settings.document["top_up_raise"]?.id == nil)
        #expect(Self.keys(settings.json["top_up_raise"]) == ["value", "default", "id", "note"])

        let report = try await Self.decoded(
            ReportDocument.self, cli, ["hub", "report", "--month", "2026-11", "--by", "village", "--format", "json"])
        #expect(Self.keys(report.json) == ["from", "to", "by", "lines", "area_totals", "total"])
        let figures: Set<String> = [
            "area", "area_name", "households", "persons", "new_entries", "exits", "month_total_fen", "period_total_fen",
        ]
        #expect(Self.keys(report.json["lines"]?.arrayValue?.first) == figures.union(["program", "program_name"]))
        #expect(Self.keys(report.json["total"]) == figures, "a total line has no program")
        #expect(report.document.total.monthTotalFen == 112_000)

        let roll = try await Self.decoded(
            PayrollDocument.self, cli,
            ["hub", "payroll", "--month", "2026-11", "--out", cli.directory + "/roll.csv", "--json"])
        #expect(
            Self.keys(roll.json) == [
                "month", "county", "file", "files", "rows", "total_yuan", "lines", "disbursement_yuan", "regular_yuan",
                "back_pay_yuan", "lines_without_card", "without_card_yuan", "recovery_lines", "recovery_yuan",
                "adjustments", "locked", "left_out",
            ])
        #expect(roll.document.totalYuan == "1120.00" && roll.document.files.noCard.hasSuffix("roll-no-card.csv"))

        let audit = try await Self.decoded([AuditEntryDocument].self, cli, ["hub", "audit", "--json"])
        guard case .event(let export) = try #require(audit.document.last) else {
            Issue.record("the roll's export is an audited event: \(audit.document)")
            return
        }
        #expect(export.kind == "export" && export.record.hasSuffix("roll.csv"))
        #expect(Self.keys(audit.json.arrayValue?.last) == ["at", "by", "kind", "record", "field", "detail"])
    }
}
