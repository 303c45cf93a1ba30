import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubDivision: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "division",
        abstract: L("cmd.hub.division.abstract"), discussion: L("cmd.hub.division.discussion"),
        subcommands: [HubDivisionSet.self, HubDivisionImport.self, HubDivisionList.self],
        defaultSubcommand: HubDivisionList.self)
}

struct HubDivisionSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: L("cmd.hub.division.set.abstract"), discussion: L("cmd.hub.division.set.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.division.code")) var code: String
    @Argument(help: .text("arg.hub.division.name")) var name: String
    @Option(help: .text("opt.hub.division.note")) var note: String?

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
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
        abstract: L("cmd.hub.division.import.abstract"), discussion: L("cmd.hub.division.import.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.division.import.file")) var file: String
    @Option(help: .text("opt.hub.division.import.note")) var note: String?

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
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
            for outcome in outcomes {
                print(L("division.line", ["line": outcome.row.line, "text": DivisionText.outcome(outcome)]))
            }
            print(DivisionText.summary(outcomes, file: name))
        }
    }
}

struct HubDivisionList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: L("cmd.hub.division.list.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            try printDivisions(try await replica.open().reading { try $0.divisions() }, json: json)
        }
    }
}

/// `hearth divisions`: the names of places on any replica (every node of the county holds them).
struct DivisionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "divisions",
        abstract: L("cmd.divisions.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printDivisions(try replica.open().divisions(), json: json) }
    }
}

func printDivisions(_ entries: [DivisionEntry], json: Bool) throws {
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
