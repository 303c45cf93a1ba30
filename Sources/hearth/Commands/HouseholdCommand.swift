import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HouseholdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "household", abstract: "Households (户): add, edit, show, list.",
        subcommands: [
            HouseholdAdd.self, HouseholdEdit.self, HouseholdShow.self, HouseholdList.self, HouseholdMove.self,
            HouseholdSplit.self, HouseholdArchive.self,
        ])
}

/// Options that set household fields, shared by add and edit.
struct HouseholdFields: ParsableArguments {
    @Option(help: "Address.") var address: String?
    @Option(help: "Household type: rural (农村) or urban (城镇).") var type: String?
    @Option(help: "Contact phone.") var phone: String?
    @Option(name: .customLong("bank-card"), help: "Bank card for payments (一卡通); stored sealed.") var bankCard: String?
    @Option(
        name: .customLong("account-name"),
        help: "The account holder's name on the household's card (户名), if not the payee's (at most 50 characters).")
    var accountName: String?
    @Option(parsing: .unconditional, help: "Verified monthly income per person, in yuan.") var income: String?
    @Option(help: "Registered population.") var population: Int?
    @Option(help: "Assets note.") var assets: String?
    @Option(help: "Free note.") var note: String?
    @Option(help: "Tags, comma-separated (merged by union).") var tags: String?
    @Option(help: "Why: kept with the change, and shown at the county desk beside the value.") var reason: String?

    func input() -> HouseholdInput {
        var input = HouseholdInput()
        input.address = address
        input.type = type
        input.phone = phone
        input.bankCard = bankCard
        input.income = income
        input.population = population
        input.assets = assets
        input.note = note
        input.tags = tags.map { $0.split(separator: ",").map(String.init) }
        input.accountName = accountName
        input.reason = reason
        return input
    }
}

struct HouseholdAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a household. Prints its id alone on the first line.")

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The village's 12-digit division code (inside this node's scope).") var village: String
    @OptionGroup var fields: HouseholdFields

    func run() throws {
        try guarded {
            var input = fields.input()
            input.village = village
            let id = try replica.open().addHousehold(input, author: try replica.author, nowMillis: nowMillis())
            print(id)
        }
    }
}

struct HouseholdEdit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Change a household's fields.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The household: its id, or a member's ID number or name (the member's household).") var id: String
    @Option(help: "Make this member the head of household (户主): an id, ID number or name.") var head: String?
    @Option(
        help: """
            The member paid for household programs (领款人): a living member of this household (an id, ID number or \
            name); `head` to pay the head again (the default).
            """)
    var payee: String?
    @OptionGroup var fields: HouseholdFields

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try RecordReference(id).resolve(.household, in: open)
            var input = fields.input()
            input.head = try head.map { try RecordReference($0).resolve(.member, in: open) }
            input.payee = try payee.map { $0 == "head" ? $0 : try RecordReference($0).resolve(.member, in: open) }
            try open.editHousehold(household, input, author: try replica.author, nowMillis: nowMillis())
            print(household)
        }
    }
}

struct HouseholdShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a household.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: "The household: its id, or a member's ID number or name (the member's household).") var id: String

    func run() throws {
        try guarded { try showRecord(id, expected: .household, replica: replica, display: display) }
    }
}

struct HouseholdList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List households.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Only this village.") var village: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let ids = try open.list(.household, where: village == nil ? nil : "village", equals: village)
            try listRecords(ids, replica: open, json: json, columns: ["village", "address", "type", "head", "status"])
        }
    }
}

struct HouseholdMove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a household, with its members, enrollments and visits, to another village.",
        discussion: """
            Both villages must be in this replica's scope (a township moves within the township, the county anywhere).
            After the next sync the village it enters receives the household's whole history.
            """)
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The household: its id, or a member's ID number or name (the member's household).") var id: String
    @Option(help: "The village it moves to (12-digit division code).") var village: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try RecordReference(id).resolve(.household, in: open)
            let moved = try open.moveHousehold(
                household, toVillage: village, author: try replica.author, nowMillis: nowMillis())
            print(household)
            print("moved \(moved.count) record(s) to \(village)")
        }
    }
}

struct HouseholdSplit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split members off into a new household in the same village (分户). Prints the new id.")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The household: its id, or a member's ID number or name (the member's household).") var id: String
    @Option(help: "The members who leave, comma-separated: ids, ID numbers or names.") var members: String
    @Option(help: "The new household's head (default: the first member listed): an id, ID number or name.")
    var head: String?

    func run() throws {
        try guarded {
            let open = try replica.open()
            let created = try open.splitHousehold(
                try RecordReference(id).resolve(.household, in: open),
                members: try RecordReference.resolveList(members, .member, in: open),
                head: try head.map { try RecordReference($0).resolve(.member, in: open) },
                author: try replica.author, nowMillis: nowMillis())
            print(created)
        }
    }
}

struct HouseholdArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Archive a household; it is not edited any more (R10).")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The household: its id, or a member's ID number or name (the member's household).") var id: String
    @Option(help: "Why (kept on the household).") var reason: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try RecordReference(id).resolve(.household, in: open)
            try open.archiveHousehold(household, reason: reason, author: try replica.author, nowMillis: nowMillis())
            print(household)
        }
    }
}
