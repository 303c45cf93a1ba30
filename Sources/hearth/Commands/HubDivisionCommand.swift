import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubDivision: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "division",
        abstract: "Names of the county's townships and villages (区划名称), replicated to every node.",
        discussion: """
            Reports, rolls, status and lists show a registered name beside its code (421281101 新庄镇); a code \
            without a name shows the code alone. Only the county hub sets names; every node receives them when it syncs.
            """,
        subcommands: [HubDivisionSet.self, HubDivisionImport.self, HubDivisionList.self],
        defaultSubcommand: HubDivisionList.self)
}

struct HubDivisionSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Name a township (9-digit code) or village (12-digit code) of the county; again to rename it.",
        discussion: "Prints the name's record id.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The township's 9-digit or the village's 12-digit code, inside the hub's county.") var code: String
    @Argument(help: "The name, e.g. 新庄镇 or 新庄村.") var name: String
    @Option(help: "A note, e.g. the document that named it.") var note: String?

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let outcome = try await hub.setDivision(
                code: code, name: name, note: note, author: try replica.author, nowMillis: nowMillis())
            print(outcome.id.value)
            print(DivisionText.outcome(outcome))
        }
    }
}

struct HubDivisionImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Name many townships and villages from a CSV file with columns code,name (or 区划代码,名称).",
        discussion: """
            Every row is checked first: if any is bad (a code not of this county, not 9 or 12 digits, a name missing, \
            a code given twice), each is named by its line and nothing is set. Otherwise all are set at once, and each \
            line says whether the name was added, changed or already so. Importing the same file again changes nothing.
            """)
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The CSV file (UTF-8 or GB18030, as Excel saves it).") var file: String
    @Option(help: "A note kept with each name set, e.g. the document that named them.") var note: String?

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let author = try replica.author
            let table = try SpreadsheetTable.read(path: file)
            let plan = hub.planDivisions(table)
            let name = (file as NSString).lastPathComponent
            guard plan.problems.isEmpty else {
                for problem in plan.problems { printError("\(name) \(problem)") }
                printError(DivisionText.refused(plan.problems.count, file: name))
                throw CLIError.importRefused(badRows: plan.problems.count)
            }
            let outcomes = try await hub.setDivisions(plan.rows, note: note, author: author, nowMillis: nowMillis())
            for outcome in outcomes { print("line \(outcome.row.line): \(DivisionText.outcome(outcome))") }
            print(DivisionText.summary(outcomes, file: name))
        }
    }
}

struct HubDivisionList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the names of places by code (on a node: `hearth divisions`).")
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded { try printDivisions(try replica.open().replica, json: json) }
    }
}

/// `hearth divisions`: the names of places on any replica (every node of the county holds them).
struct DivisionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "divisions",
        abstract: "List the names of the county's townships and villages (any replica: every node holds them).")
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded { try printDivisions(try replica.open(), json: json) }
    }
}

func printDivisions(_ replica: ReplicaCore, json: Bool) throws {
    let entries = try replica.divisions()
    if json {
        try Output.json(entries.map(DivisionDocument.init))
        return
    }
    guard !entries.isEmpty else {
        print(DivisionText.none)
        return
    }
    Output.table(
        [L("division.code"), L("division.level"), L("division.name"), FieldWords.name("id")],
        entries.map {
            [$0.code, valueName($0.code.count == 9 ? "township" : "village", field: "level"), $0.name, $0.id.value]
        })
}

/// The words `hub division` prints, together so the message catalogue can take them over.
enum DivisionText {
    static var none: String { L("division.none") }

    static func outcome(_ outcome: DivisionOutcome) -> String {
        let row = outcome.row
        switch outcome.change {
        case .added: return L("division.added", ["code": row.code, "name": row.name])
        case .renamed: return L("division.renamed", ["code": row.code, "name": row.name])
        case .unchanged: return L("division.unchanged", ["code": row.code, "name": row.name])
        }
    }

    static func summary(_ outcomes: [DivisionOutcome], file: String) -> String {
        let added = outcomes.filter { $0.change == .added }.count
        let renamed = outcomes.filter { $0.change == .renamed }.count
        let unchanged = outcomes.filter { $0.change == .unchanged }.count
        return L("division.summary", ["file": file, "added": added, "renamed": renamed, "unchanged": unchanged])
    }

    static func refused(_ count: Int, file: String) -> String {
        L("division.refused", ["count": count, "file": file])
    }
}
