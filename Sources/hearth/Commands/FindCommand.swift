import ArgumentParser
import HearthCore
import HearthStore

/// `hearth find TEXT`: people and households by what a clerk knows of them.
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: L("cmd.find.abstract"),
        discussion: L("cmd.find.discussion"))

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.find.text")) var text: String
    @Option(help: .text("opt.find.limit")) var limit = 50
    @Flag(help: .text("opt.json")) var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError(L("error.find_limit")) }
    }

    func run() throws {
        try guarded {
            let result = try replica.open().find(text, limit: limit, nowMillis: nowMillis())
            if json {
                try Output.json(FindDocument(result))
                return
            }
            guard !result.hits.isEmpty else {
                print(FindText.nothing(result.byIDNumber ? nil : RecordReference(text).described))
                return
            }
            Output.table(
                FindText.header,
                result.hits.map { hit in
                    [
                        FieldWords.type(hit.id.type), hit.id.value, hit.name ?? "", hit.village ?? "",
                        hit.household?.value ?? "", hit.address ?? "", hit.phone ?? "",
                        FieldWords.value(hit.status ?? "", field: "status"),
                    ]
                })
            if result.more { print(FindText.more(limit)) }
        }
    }
}

/// The words `hearth find` prints, together for the message catalogue.
enum FindText {
    static var header: [String] {
        [
            L("find.kind"), FieldWords.name("id"), L("find.name"), L("find.village"), L("find.household"),
            L("find.address"), L("find.phone"), L("find.status"),
        ]
    }
    static func nothing(_ text: String?) -> String {
        text.map { L("find.nothing", ["text": $0]) } ?? L("find.no_id_number")
    }
    static func more(_ limit: Int) -> String {
        L("find.more", ["limit": limit])
    }
}
