import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: L("cmd.member.abstract"),
        subcommands: [MemberAdd.self, MemberEdit.self, MemberShow.self, MemberList.self, MemberMove.self])
}

struct MemberFields: ParsableArguments {
    @Option(help: .text("opt.member.name")) var name: String?
    @Option(
        name: .customLong("id-number"),
        help: .text("opt.member.id_number"))
    var idNumber: String?
    @Option(help: .text("opt.member.relation")) var relation: String?
    @Option(name: .customLong("disability-grade"), help: .text("opt.member.disability_grade"))
    var disabilityGrade: String?
    @Option(help: .text("opt.member.health")) var health: String?
    @Option(name: .customLong("work-capacity"), help: .text("opt.member.work_capacity")) var workCapacity: String?
    @Option(help: .text("opt.household.note")) var note: String?
    @Option(
        name: .customLong("bank-card"),
        help: .text("opt.member.bank_card"))
    var bankCard: String?
    @Option(
        name: .customLong("account-name"),
        help: .text("opt.member.account_name"))
    var accountName: String?
    @Option(help: .text("opt.reason")) var reason: String?

    func input() throws(InputError) -> MemberInput {
        var input = MemberInput()
        input.name = name
        input.idNumber = idNumber
        input.relation = relation
        input.disabilityGrade = try disabilityGrade.map { text throws(InputError) in
            try FieldInput.disabilityGrade(text, label: "disability-grade")
        }
        input.health = health
        input.workCapacity = workCapacity
        input.note = note
        input.bankCard = bankCard
        input.accountName = accountName
        input.reason = reason
        return input
    }
}

struct MemberAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: L("cmd.member.add.abstract"))

    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.visit.household"))
    var household: String
    @OptionGroup var fields: MemberFields

    func run() throws {
        try guarded {
            let node = try replica.open()
            var input = try fields.input()
            input.household = try RecordReference(household).resolve(.household, in: node)
            let id = try node.addMember(input, author: try replica.author, nowMillis: nowMillis())
            print(id)
            if fields.idNumber == nil { print(L("member.no_id_number")) }
            if let raw = fields.idNumber,
                let number = try? IDNumber(parsing: raw, today: DomainCalendar.date(atMillis: nowMillis()))
            {
                // The index says no more than this (no township, no program): the hub's R5 check
                // at the next sync tells where. The county hub holds no index: its R5 check ran already.
                if let node = node as? Replica, try node.possiblyRegisteredElsewhere(idNumber: number.value) {
                    print(L("member.possibly_elsewhere"))
                }
            }
        }
    }
}

struct MemberEdit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: L("cmd.member.edit.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("opt.death.member")) var id: String
    @OptionGroup var fields: MemberFields

    func run() throws {
        try guarded {
            let open = try replica.open()
            let member = try RecordReference(id).resolve(.member, in: open)
            try open.editMember(member, try fields.input(), author: try replica.author, nowMillis: nowMillis())
            print(member)
        }
    }
}

struct MemberShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: L("cmd.member.show.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: .text("opt.death.member")) var id: String

    func run() throws {
        try guarded { try showRecord(id, expected: .member, replica: replica, display: display) }
    }
}

struct MemberList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("cmd.member.list.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.member.list.household")) var household: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try self.household.map { try RecordReference($0).resolve(.household, in: open) }
            try listRecords(
                .member, where: "household", equals: household, replica: open, json: json,
                columns: ["household", "name", "id_number", "relation", "sex", "birth_date", "vital_status"])
        }
    }
}

struct DeathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "death",
        abstract: L("cmd.death.abstract"))

    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.death.member")) var member: String
    @Option(help: .text("opt.death.date")) var date: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let member = try RecordReference(self.member).resolve(.member, in: open)
            let ended = try open.recordDeath(
                member: member, date: date, author: try replica.author, nowMillis: nowMillis())
            print(member)
            for enrollment in ended { print(L("death.ended", ["id": enrollment])) }
        }
    }
}

struct MemberMove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: L("cmd.member.move.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("opt.death.member")) var id: String
    @Option(help: .text("opt.member.move.household"))
    var household: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let member = try RecordReference(id).resolve(.member, in: open)
            try open.moveMember(
                member, toHousehold: try RecordReference(household).resolve(.household, in: open),
                author: try replica.author, nowMillis: nowMillis())
            print(member)
        }
    }
}
