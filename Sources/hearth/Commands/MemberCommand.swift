import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Members of households (成员): add, edit, show, list.",
        subcommands: [MemberAdd.self, MemberEdit.self, MemberShow.self, MemberList.self, MemberMove.self])
}

struct MemberFields: ParsableArguments {
    @Option(help: "Name (姓名).") var name: String?
    @Option(
        name: .customLong("id-number"),
        help: "Resident ID number (18 characters; spaces, full-width digits and a lower-case x are accepted).")
    var idNumber: String?
    @Option(help: "Relation to the head: head, spouse, child, parent or other.") var relation: String?
    @Option(name: .customLong("disability-grade"), help: "Disability grade 1-4 (0 clears it).") var disabilityGrade:
        Int?
    @Option(help: "Health note.") var health: String?
    @Option(name: .customLong("work-capacity"), help: "Work-capacity note.") var workCapacity: String?
    @Option(help: "Free note.") var note: String?
    @Option(
        name: .customLong("bank-card"),
        help: "The person's own bank card, paid for their own programs (else the household's card); stored sealed.")
    var bankCard: String?
    @Option(
        name: .customLong("account-name"),
        help: "The account holder's name on the person's own card (户名), if not the person's (at most 50 characters).")
    var accountName: String?
    @Option(help: "Why: kept with the change, and shown at the county desk beside the value.") var reason: String?

    func input() -> MemberInput {
        var input = MemberInput()
        input.name = name
        input.idNumber = idNumber
        input.relation = relation
        input.disabilityGrade = disabilityGrade
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
        abstract: "Register a member. Without --id-number the member is pending (never payable). Prints the id.")

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The household: its id, or a member's ID number or name (that member's household).")
    var household: String
    @OptionGroup var fields: MemberFields

    func run() throws {
        try guarded {
            let node = try replica.open()
            var input = fields.input()
            input.household = try RecordReference(household).resolve(.household, in: node)
            let id = try node.addMember(input, author: try replica.author, nowMillis: nowMillis())
            print(id)
            if fields.idNumber == nil { print("no ID number: registered as pending, not payable until one is added") }
            if let raw = fields.idNumber,
                let number = try? IDNumber(parsing: raw, today: DomainCalendar.date(atMillis: nowMillis()))
            {
                // The index says no more than this (no township, no program): the hub's R5 check
                // at the next sync tells where. The county hub holds no index: its R5 check ran already.
                if let node = node as? Replica, try node.possiblyRegisteredElsewhere(idNumber: number.value) {
                    print("warning: possibly registered elsewhere; the hub confirms or clears it at the next sync")
                }
            }
        }
    }
}

struct MemberEdit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Change a member's fields.")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The member: its id, ID number or name.") var id: String
    @OptionGroup var fields: MemberFields

    func run() throws {
        try guarded {
            let open = try replica.open()
            let member = try RecordReference(id).resolve(.member, in: open)
            try open.editMember(member, fields.input(), author: try replica.author, nowMillis: nowMillis())
            print(member)
        }
    }
}

struct MemberShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a member.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: "The member: its id, ID number or name.") var id: String

    func run() throws {
        try guarded { try showRecord(id, expected: .member, replica: replica, display: display) }
    }
}

struct MemberList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List members.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Only members of this household (an id, or a member's ID number or name).") var household: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try self.household.map { try RecordReference($0).resolve(.household, in: open) }
            let ids = try open.list(.member, where: household == nil ? nil : "household", equals: household)
            try listRecords(
                ids, replica: open, json: json,
                columns: ["household", "name", "id_number", "relation", "sex", "birth_date", "vital_status"])
        }
    }
}

struct DeathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "death",
        abstract: "Record a member's death; every active enrollment of theirs ends in the same transaction.")

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The member: its id, ID number or name.") var member: String
    @Option(help: "Date of death, YYYY-MM-DD (not in the future).") var date: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let member = try RecordReference(self.member).resolve(.member, in: open)
            let ended = try open.recordDeath(
                member: member, date: date, author: try replica.author, nowMillis: nowMillis())
            print(member)
            for enrollment in ended { print("ended enrollment \(enrollment)") }
        }
    }
}

struct MemberMove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a member to another household of the same village; live enrollments follow.")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The member: its id, ID number or name.") var id: String
    @Option(help: "The household it joins: its id, or a member's ID number or name (that member's household).")
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
