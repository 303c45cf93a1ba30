import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HouseholdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "household", abstract: L("cmd.household.abstract"),
        subcommands: [
            HouseholdAdd.self, HouseholdEdit.self, HouseholdShow.self, HouseholdList.self, HouseholdMove.self,
            HouseholdSplit.self, HouseholdArchive.self,
        ])
}

/// Options that set household fields, shared by add and edit.
struct HouseholdFields: ParsableArguments {
    @Option(help: .text("opt.household.address")) var address: String?
    @Option(help: .text("opt.household.type")) var type: String?
    @Option(help: .text("opt.household.phone")) var phone: String?
    @Option(name: .customLong("bank-card"), help: .text("opt.household.bank_card")) var bankCard: String?
    @Option(
        name: .customLong("account-name"),
        help: .text("opt.household.account_name"))
    var accountName: String?
    @Option(parsing: .unconditional, help: .text("opt.household.income")) var income: String?
    @Option(help: .text("opt.household.population")) var population: Int?
    @Option(help: .text("opt.household.assets")) var assets: String?
    @Option(help: .text("opt.household.note")) var note: String?
    @Option(help: .text("opt.household.tags")) var tags: String?
    @Option(help: .text("opt.reason")) var reason: String?

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
        commandName: "add", abstract: L("cmd.household.add.abstract"))

    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.household.village")) var village: String
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
    static let configuration = CommandConfiguration(commandName: "edit", abstract: L("cmd.household.edit.abstract"))

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.household")) var id: String
    @Option(help: .text("opt.household.head")) var head: String?
    @Option(
        help: .text("opt.household.payee"))
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
    static let configuration = CommandConfiguration(commandName: "show", abstract: L("cmd.household.show.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: .text("arg.household")) var id: String

    func run() throws {
        try guarded { try showRecord(id, expected: .household, replica: replica, display: display) }
    }
}

struct HouseholdList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("cmd.household.list.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.household.list.village")) var village: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            try listRecords(
                .household, where: "village", equals: village, replica: open, json: json,
                columns: ["village", "address", "type", "head", "status"])
        }
    }
}

struct HouseholdMove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: L("cmd.household.move.abstract"), discussion: L("cmd.household.move.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.household")) var id: String
    @Option(help: .text("opt.household.move.village")) var village: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try RecordReference(id).resolve(.household, in: open)
            let moved = try open.moveHousehold(
                household, toVillage: village, author: try replica.author, nowMillis: nowMillis())
            print(household)
            print(L("household.moved", ["count": moved.count, "village": village]))
        }
    }
}

struct HouseholdSplit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: L("cmd.household.split.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.household")) var id: String
    @Option(help: .text("opt.household.split.members")) var members: String
    @Option(help: .text("opt.household.split.head"))
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
        commandName: "archive", abstract: L("cmd.household.archive.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.household")) var id: String
    @Option(help: .text("opt.household.archive.reason")) var reason: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try RecordReference(id).resolve(.household, in: open)
            try open.archiveHousehold(household, reason: reason, author: try replica.author, nowMillis: nowMillis())
            print(household)
        }
    }
}
