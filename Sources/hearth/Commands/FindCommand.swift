import ArgumentParser
import HearthCore
import HearthStore

/// `hearth find TEXT`: people and households by what a clerk knows of them.
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find households and members by name, address, phone or ID number (查找).",
        discussion: """
            TEXT is part of a name (two characters are enough: 秀英), of an address (三组12号) or of a phone; spaces and \
            hyphens do not count. An ID number (18 characters, or 15) finds its member by the number's keyed hash: \
            the number is neither kept nor printed. One line per record found, in id order: kind, id, name (a \
            household's head), village, the member's household or the household's address and phone, status. \
            Every command that takes a record id also takes an ID number, or a name when one member has it.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "Part of a name, address or phone, or a whole ID number.") var text: String
    @Option(help: "At most this many records (default 50).") var limit = 50
    @Flag(help: "Print one JSON document.") var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
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
                        hit.id.type.rawValue, hit.id.value, hit.name ?? "", hit.village ?? "",
                        hit.household?.value ?? "", hit.address ?? "", hit.phone ?? "", hit.status ?? "",
                    ]
                })
            if result.more { print(FindText.more(limit)) }
        }
    }
}

/// The words `hearth find` prints, together for the message catalogue.
enum FindText {
    static let header = ["kind", "id", "name", "village", "household", "address", "phone", "status"]
    static func nothing(_ text: String?) -> String {
        text.map { "nothing found for \($0)" } ?? "no member on this replica has that ID number"
    }
    static func more(_ limit: Int) -> String {
        "more than \(limit) found: give more of the text, or a larger --limit"
    }
}
