import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

struct HubConflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "The county desk: what no rule could settle, shown three ways and resolved once for every replica.",
        subcommands: [ConflictsList.self, ConflictsShow.self, ConflictsResolve.self, ConflictsAck.self],
        defaultSubcommand: ConflictsList.self)
}

/// Filters shared by list, resolve --all and ack --all.
struct ConflictFilters: ParsableArguments {
    @Option(help: "Only this township (9-digit code) or village.") var township: String?
    @Option(help: "Only this kind: a field name (amount, head, id_number, …) or a record type.") var kind: String?
    @Option(help: "Only this rule (R4b, R4c, R7, R8, R1, R4a, …).") var rule: String?
}

struct ConflictsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List open conflicts (the default).")
    @OptionGroup var replica: HubReplicaOptions
    @OptionGroup var filters: ConflictFilters
    @Flag(help: "Also list soft decisions awaiting review (R4a, R3, …).") var soft = false
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        try await guardedAsync {
            let open = try replica.open()
            let cases = try await open.conflicts(
                soft: soft || filters.rule == "R4a" || filters.rule == "R3", township: filters.township,
                kind: filters.kind,
                rule: filters.rule)
            let ruleCases = try open.replica.ruleCases(nowMillis: nowMillis()).filter { found in
                (filters.rule == nil || filters.rule == found.rule)
                    && (filters.kind == nil || filters.kind == found.kind)
                    && (filters.township == nil || (found.village ?? "").hasPrefix(filters.township!))
            }
            if json {
                try Output.json(
                    cases.map { DeskCaseDocument.conflict(ConflictDocument($0)) }
                        + ruleCases.map { DeskCaseDocument.ruleCase(RuleCaseDocument($0)) })
                return
            }
            if cases.isEmpty && ruleCases.isEmpty {
                print("(no conflicts)")
                return
            }
            Output.table(
                ["id", "village", "rule", "values", "state"],
                cases.map {
                    [
                        $0.id, $0.village ?? "", "\($0.rule.id) \($0.rule.title)", "\($0.candidates.count)",
                        $0.open ? "open" : "soft",
                    ]
                }
                    + ruleCases.map { [$0.id, $0.village ?? "", "\($0.rule) \($0.kind)", "", "open"] })
        }
    }
}

struct ConflictsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "A three-way view: the base value, each competing value, the rule and why it could not decide.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The conflict id (record/field).") var id: String
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        try await guardedAsync {
            let open = try replica.open()
            if !id.contains("/") || id.hasPrefix("H:") {
                guard let found = try open.replica.ruleCase(id, nowMillis: nowMillis())
                else {
                    throw InputError(field: "id", reason: "no open conflict or rule case \(id)")
                }
                if json {
                    try Output.json(RuleCaseDocument(found))
                    return
                }
                print("\(found.id)  OPEN  rule \(found.rule) (rule set \(ConflictRules.ruleSetVersion)) \(found.kind)")
                print("why    \(found.detail)")
                print("records " + found.records.map(\.value).joined(separator: ", "))
                if !found.holds.isEmpty { print("held   " + found.holds.map(\.value).joined(separator: ", ")) }
                print(
                    "settle it with the ordinary commands on the hub (e.g. `hearth exit E --db hub.db`), or review it:")
                print("       hearth hub conflicts ack \(found.id) --note TEXT")
                return
            }
            let conflict = try await open.conflict(id)
            if json {
                try Output.json(ConflictDocument(conflict))
                return
            }
            print("\(conflict.id)  \(conflict.open ? "OPEN" : "soft decision")  village \(conflict.village ?? "?")")
            print(
                "rule   \(conflict.rule.id) \(conflict.rule.title) (rule set \(ConflictRules.ruleSetVersion)): \(conflict.rule.reason)"
            )
            print("base   \(conflict.base ?? "(none: the values were written independently)")")
            for (index, candidate) in conflict.candidates.enumerated() {
                print("  \(index + 1)  \(candidate.display)")
                print(
                    "     by \(candidate.author) on \(candidate.replicaName) (\(candidate.rank)) at \(Output.time(candidate.atMillis)), op \(candidate.dot)"
                )
                print("     why: \(candidate.reason ?? "(no reason given)")")
            }
            print("shown now: \(conflict.display)")
            print("resolve:   hearth hub conflicts resolve \(conflict.id) --pick N --note TEXT")
        }
    }
}

struct ConflictsResolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflict (or --all matching ones) with one value; it replicates to every node.",
        discussion:
            "--pick N|newest|county chooses a competing value; --value V gives another (yuan for money, YYYY-MM:yuan;… for an amount schedule)."
    )
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The conflict id (record/field); omit with --all.") var id: String?
    @Flag(help: "Resolve every open conflict matching the filters.") var all = false
    @Flag(
        help: """
            Resolve every open conflict matching the filters in one transaction, exactly as planned (--pick newest or \
            county; at most 200 at a time, the oldest first), as the desk's bulk resolution does.
            """)
    var bulk = false
    @Flag(help: "With --bulk: print what would be written, and write nothing.") var dryRun = false
    @OptionGroup var filters: ConflictFilters
    @Option(help: "N (as `show` numbers them), newest, or county.") var pick: String?
    @Option(help: "A value to write instead.") var value: String?
    @Option(help: "Why: kept with the decision.") var note: String

    func choice() throws -> DeskChoice {
        switch (pick, value) {
        case (let pick?, nil):
            if pick == "newest" { return .newest }
            if pick == "county" { return .county }
            guard let number = Int(pick), number > 0 else {
                throw CLIError.usage("--pick takes a number, newest or county")
            }
            return .pick(number)
        case (nil, let value?): return .value(value)
        default: throw CLIError.usage("give exactly one of --pick and --value")
        }
    }

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let author = try replica.author
            let choice = try choice()
            if bulk {
                guard id == nil, !all else { throw CLIError.usage("--bulk takes filters, not a conflict id or --all") }
                try await resolveInBulk(hub, choice: choice, author: author)
                return
            }
            guard !dryRun else { throw CLIError.usage("--dry-run goes with --bulk") }
            if all {
                guard id == nil else { throw CLIError.usage("give a conflict id or --all, not both") }
                if case .pick(let number) = choice, number > 0 {
                    throw CLIError.usage("--all takes --pick newest or --pick county (numbers differ per conflict)")
                }
                let cases = try await hub.conflicts(township: filters.township, kind: filters.kind, rule: filters.rule)
                var resolved = 0
                var skipped: [String] = []
                for conflict in cases {
                    do {
                        try await hub.resolve(
                            conflict.id, choice: choice, note: note, author: author, nowMillis: nowMillis())
                        resolved += 1
                    } catch {
                        skipped.append("\(conflict.id): \(error)")
                    }
                }
                print("\(resolved) resolved, \(skipped.count) left open")
                for line in skipped { print("  left open: \(line)") }
                return
            }
            guard let id else { throw CLIError.usage("give a conflict id, or --all with filters") }
            let op = try await hub.resolve(id, choice: choice, note: note, author: author, nowMillis: nowMillis())
            print(id)
            print("resolved by op \(op.dot); nodes receive it at their next sync")
        }
    }
}

extension ConflictsResolve {
    /// `--bulk`: the desk's bulk resolution (``HubLedger/bulkPlan(_:choice:nowMillis:)``), printed
    /// row by row; without `--dry-run`, applied in one transaction only if the plan is still the
    /// one printed (``HubLedger/bulkResolve(_:choice:digest:note:author:nowMillis:audit:)``).
    func resolveInBulk(_ hub: HubLedger, choice: DeskChoice, author: String) async throws {
        let bulkChoice: BulkChoice
        switch choice {
        case .newest: bulkChoice = .newest
        case .county: bulkChoice = .county
        default: throw CLIError.usage("--bulk takes --pick newest or --pick county")
        }
        let filter = BulkFilter(place: filters.township, kind: filters.kind, rule: filters.rule)
        let plan = try await hub.bulkPlan(filter, choice: bulkChoice, nowMillis: nowMillis())
        for row in plan.rows { print("\(row.id)  \(row.shown) -> \(row.chosen)  (rule \(row.ruleID))") }
        for skip in plan.skipped { print("left open: \(skip.id): \(skip.reason)") }
        let more = plan.more > 0 ? ", \(plan.more) more match: run again" : ""
        guard !dryRun else {
            print(
                "\(plan.rows.count) would be resolved, \(plan.skipped.count) left open\(more) (dry run: nothing written)"
            )
            return
        }
        guard !plan.rows.isEmpty else {
            print("0 resolved, \(plan.skipped.count) left open")
            return
        }
        let outcome = try await hub.bulkResolve(
            filter, choice: bulkChoice, digest: plan.digest, note: note, author: author, nowMillis: nowMillis())
        print("\(outcome.ops.count) resolved, \(plan.skipped.count) left open\(more)")
    }
}

struct ConflictsAck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge soft decisions (e.g. --all --rule R4a): the value kept stays, the alternatives close.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The conflict id; omit with --all.") var id: String?
    @Flag(help: "Acknowledge every soft decision matching the filters.") var all = false
    @OptionGroup var filters: ConflictFilters
    @Option(help: "A note kept with the acknowledgement.") var note = "acknowledged"

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let author = try replica.author
            let targets: [ConflictCase]
            if all {
                targets = try await hub.conflicts(
                    soft: true, township: filters.township, kind: filters.kind, rule: filters.rule
                )
                .filter { !$0.open }
            } else {
                guard let id else { throw CLIError.usage("give a conflict id, or --all with filters") }
                if !id.contains("/") || id.hasPrefix("H:") {
                    try await hub.acknowledgeCase(id, note: note, author: author, nowMillis: nowMillis())
                    print("1 acknowledged")
                    return
                }
                let conflict = try await hub.conflict(id)
                guard !conflict.open else {
                    throw CLIError.usage("\(id) is open: resolve it (`conflicts resolve`), it is not a soft decision")
                }
                targets = [conflict]
            }
            for conflict in targets {
                // The value the rule kept is the display value: write it over the alternatives.
                let kept = conflict.candidates.firstIndex { $0.display == conflict.display }.map { $0 + 1 } ?? 1
                try await hub.resolve(
                    conflict.id, choice: .pick(kept), note: note, author: author, nowMillis: nowMillis())
            }
            print("\(targets.count) acknowledged")
        }
    }
}

struct HubAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The hub's audit trail: resolutions and rule decisions, and who took ID or card numbers in clear.",
        discussion: """
            Oldest first: every resolution and automatic decision, with its rule id and rule-set version; every file
            written with ID or card numbers in clear (the roll and its companion files, skipped-rows files), with its
            month and number of lines; every quarantine release and discard; every `--reveal` made on the hub's
            database. A `--reveal` on a node is recorded in that node's own database.
            """)
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let decisions = try await hub.decisions()
            let events = try hub.replica.auditTrail()
            // One trail: the two logs merged by time, each kept in its own order.
            var fromDecisions: [(at: Int64, json: AuditEntryDocument, text: String)] = []
            for decision in decisions {
                fromDecisions.append(
                    (
                        decision.atMillis, .decision(AuditEntryDocument.Decision(decision)),
                        "\(Output.time(decision.atMillis))  \(decision.kind)  \(decision.record)"
                            + "\(decision.field.map { "/\($0)" } ?? "")  rule \(decision.rule) (set \(decision.ruleSet))  "
                            + "\(decision.choice)  by \(decision.worker): \(decision.note)  [op \(decision.op)]"
                    ))
            }
            var fromEvents: [(at: Int64, json: AuditEntryDocument, text: String)] = []
            for event in events {
                fromEvents.append(
                    (
                        event.atMillis, .event(AuditEntryDocument.Event(event)),
                        "\(Output.time(event.atMillis))  \(event.action)  \(event.subject)"
                            + "\(event.field.isEmpty ? "" : " [\(event.field)]")  by \(event.worker)"
                            + "\(event.detail.isEmpty ? "" : ": \(event.detail)")"
                    ))
            }
            var entries: [(at: Int64, json: AuditEntryDocument, text: String)] = []
            var (left, right) = (fromDecisions[...], fromEvents[...])
            while !left.isEmpty || !right.isEmpty {
                if let decision = left.first, right.first.map({ decision.at <= $0.at }) ?? true {
                    entries.append(left.removeFirst())
                } else {
                    entries.append(right.removeFirst())
                }
            }
            if json {
                try Output.json(entries.map(\.json))
                return
            }
            if entries.isEmpty { print("(nothing audited yet)") }
            for entry in entries { print(entry.text) }
        }
    }
}
