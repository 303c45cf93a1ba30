import ArgumentParser
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import HearthText

/// A rule's title and why it could not decide, in the reader's language (the desk's words).
func ruleWords(_ rule: ConflictRules.Rule) -> (title: String, reason: String) {
    (DeskLanguage(rawValue: Language.current.rawValue) ?? .en).rule(title: rule.title, reason: rule.reason)
}

/// A code with hyphens or spaces (`duplicate-person`, `quarantine release`) as the reader's
/// language names it (`value.<field>.duplicate_person`); the code itself when it has no name.
func codeName(_ code: String, field: String) -> String {
    let key = code.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
    let name = valueName(key, field: field)
    return name == key ? code : name
}

struct HubConflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: L("cmd.conflicts.abstract"),
        subcommands: [ConflictsList.self, ConflictsShow.self, ConflictsResolve.self, ConflictsAck.self],
        defaultSubcommand: ConflictsList.self)
}

/// Filters shared by list, resolve --all and ack --all.
struct ConflictFilters: ParsableArguments {
    @Option(help: .text("opt.conflicts.township")) var township: String?
    @Option(help: .text("opt.conflicts.kind_named")) var kind: String?
    @Option(help: .text("opt.conflicts.rule")) var rule: String?
}

struct ConflictsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("cmd.conflicts.list.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @OptionGroup var filters: ConflictFilters
    @Flag(help: .text("opt.conflicts.soft")) var soft = false
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let open = try await replica.open()
            let cases = try await open.conflicts(
                soft: soft || filters.rule == "R4a" || filters.rule == "R3", township: filters.township,
                kind: filters.kind,
                rule: filters.rule)
            let now = nowMillis()
            let ruleCases = try await open.reading { try $0.ruleCases(nowMillis: now) }.filter { found in
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
                print(L("conflicts.none"))
                return
            }
            Output.table(
                [
                    FieldWords.name("id"), L("conflicts.col_village"), L("conflicts.col_rule"),
                    L("conflicts.col_values"), L("conflicts.col_state"),
                ],
                cases.map {
                    [
                        $0.id, $0.village ?? "", "\($0.rule.id) \(ruleWords($0.rule).title)", "\($0.candidates.count)",
                        L($0.open ? "conflicts.open" : "conflicts.soft"),
                    ]
                }
                    + ruleCases.map {
                        [
                            $0.id, $0.village ?? "", "\($0.rule) \(codeName($0.kind, field: "case_kind"))", "",
                            L("conflicts.open"),
                        ]
                    })
        }
    }
}

struct ConflictsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: L("cmd.conflicts.show.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.conflict")) var id: String
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let open = try await replica.open()
            if !id.contains("/") || id.hasPrefix("H:") {
                let (id, now) = (id, nowMillis())
                guard let found = try await open.reading({ try $0.ruleCase(id, nowMillis: now) })
                else {
                    throw InputError(field: "id", "input.no_conflict", ["id": id])
                }
                if json {
                    try Output.json(RuleCaseDocument(found))
                    return
                }
                print(
                    L(
                        "conflicts.case_head",
                        [
                            "id": found.id, "rule": found.rule, "set": ConflictRules.ruleSetVersion,
                            "kind": codeName(found.kind, field: "case_kind"),
                        ]))
                print(L("conflicts.why", ["detail": found.detail]))
                print(L("conflicts.records", ["records": found.records.map(\.value).joined(separator: ", ")]))
                if !found.holds.isEmpty {
                    print(L("conflicts.held", ["holds": found.holds.map(\.value).joined(separator: ", ")]))
                }
                print(L("conflicts.case_settle"))
                print(L("conflicts.ack_hint", ["id": found.id]))
                return
            }
            let conflict = try await open.conflict(id)
            if json {
                try Output.json(ConflictDocument(conflict))
                return
            }
            let state = L(conflict.open ? "conflicts.state_open" : "conflicts.state_soft")
            print(L("conflicts.head", ["id": conflict.id, "state": state, "village": conflict.village ?? "?"]))
            let rule = ruleWords(conflict.rule)
            print(
                L(
                    "conflicts.rule_line",
                    [
                        "id": conflict.rule.id, "title": rule.title, "set": ConflictRules.ruleSetVersion,
                        "reason": rule.reason,
                    ]))
            print(L("conflicts.base", ["base": conflict.base ?? L("conflicts.base_none")]))
            for (index, candidate) in conflict.candidates.enumerated() {
                print("  \(index + 1)  \(candidate.display)")
                let by = L(
                    "conflicts.by",
                    [
                        "author": candidate.author, "replica": candidate.replicaName, "rank": candidate.rank,
                        "time": Output.time(candidate.atMillis), "dot": candidate.dot,
                    ])
                print("     " + by)
                print("     " + L("conflicts.reason", ["reason": candidate.reason ?? L("conflicts.no_reason")]))
            }
            print(L("conflicts.shown", ["value": conflict.display]))
            print(L("conflicts.resolve_hint", ["id": conflict.id]))
        }
    }
}

struct ConflictsResolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: L("cmd.conflicts.resolve.abstract"), discussion: L("cmd.conflicts.resolve.discussion_named"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.conflict_optional")) var id: String?
    @Flag(help: .text("opt.conflicts.all")) var all = false
    @Flag(help: .text("opt.conflicts.bulk_planned"))
    var bulk = false
    @Flag(help: .text("opt.conflicts.dry_run")) var dryRun = false
    @OptionGroup var filters: ConflictFilters
    @Option(help: .text("opt.conflicts.pick_named")) var pick: String?
    @Option(help: .text("opt.conflicts.value")) var value: String?
    @Option(help: .text("opt.conflicts.note")) var note: String

    func choice() throws -> DeskChoice {
        switch (pick, value) {
        case (let pick?, nil):
            // The code as typed, or its name in either language (最新的值, 县里的值).
            let named = Catalogue.code(named: pick, field: "pick", among: ["newest", "county"])
            if named == "newest" { return .newest }
            if named == "county" { return .county }
            guard let number = Int(pick), number > 0 else {
                throw CLIError.usage(L("error.pick"))
            }
            return .pick(number)
        case (nil, let value?): return .value(value)
        default: throw CLIError.usage(L("error.pick_or_value"))
        }
    }

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let author = try replica.author
            let choice = try choice()
            if bulk {
                guard id == nil, !all else { throw CLIError.usage(L("error.bulk_filters")) }
                try await resolveInBulk(hub, choice: choice, author: author)
                return
            }
            guard !dryRun else { throw CLIError.usage(L("error.dry_run")) }
            if all {
                guard id == nil else { throw CLIError.usage(L("error.id_or_all")) }
                if case .pick(let number) = choice, number > 0 {
                    throw CLIError.usage(L("error.all_pick"))
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
                print(L("conflicts.resolved_count", ["resolved": resolved, "left": skipped.count]))
                for line in skipped { print("  " + L("conflicts.left_open", ["line": line])) }
                return
            }
            guard let id else { throw CLIError.usage(L("error.id_or_all_filters")) }
            let op = try await hub.resolve(id, choice: choice, note: note, author: author, nowMillis: nowMillis())
            print(id)
            print(L("conflicts.resolved_by", ["dot": op.dot]))
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
        default: throw CLIError.usage(L("error.bulk_pick"))
        }
        let filter = BulkFilter(place: filters.township, kind: filters.kind, rule: filters.rule)
        let plan = try await hub.bulkPlan(filter, choice: bulkChoice, nowMillis: nowMillis())
        for row in plan.rows {
            print(
                L("conflicts.plan_row", ["id": row.id, "shown": row.shown, "chosen": row.chosen, "rule": row.ruleID]))
        }
        for skip in plan.skipped { print(L("conflicts.left_open", ["line": "\(skip.id): \(skip.reason)"])) }
        let more = plan.more > 0 ? L("conflicts.more", ["count": plan.more]) : ""
        guard !dryRun else {
            print(L("conflicts.dry_run", ["count": plan.rows.count, "left": plan.skipped.count, "more": more]))
            return
        }
        guard !plan.rows.isEmpty else {
            print(L("conflicts.resolved_count", ["resolved": 0, "left": plan.skipped.count]))
            return
        }
        let outcome = try await hub.bulkResolve(
            filter, choice: bulkChoice, digest: plan.digest, note: note, author: author, nowMillis: nowMillis())
        print(L("conflicts.bulk_done", ["count": outcome.ops.count, "left": plan.skipped.count, "more": more]))
    }
}

struct ConflictsAck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: L("cmd.conflicts.ack.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.conflict_ack")) var id: String?
    @Flag(help: .text("opt.conflicts.ack_all")) var all = false
    @OptionGroup var filters: ConflictFilters
    @Option(help: .text("opt.conflicts.ack_note")) var note = L("conflicts.ack_default_note")

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let author = try replica.author
            let targets: [ConflictCase]
            if all {
                targets = try await hub.conflicts(
                    soft: true, township: filters.township, kind: filters.kind, rule: filters.rule
                )
                .filter { !$0.open }
            } else {
                guard let id else { throw CLIError.usage(L("error.id_or_all_filters")) }
                if !id.contains("/") || id.hasPrefix("H:") {
                    try await hub.acknowledgeCase(id, note: note, author: author, nowMillis: nowMillis())
                    print(L("conflicts.acknowledged", ["count": 1]))
                    return
                }
                let conflict = try await hub.conflict(id)
                guard !conflict.open else {
                    throw CLIError.usage(L("error.open_not_soft", ["id": id]))
                }
                targets = [conflict]
            }
            for conflict in targets {
                // The value the rule kept is the display value: write it over the alternatives.
                let kept = conflict.candidates.firstIndex { $0.display == conflict.display }.map { $0 + 1 } ?? 1
                try await hub.resolve(
                    conflict.id, choice: .pick(kept), note: note, author: author, nowMillis: nowMillis())
            }
            print(L("conflicts.acknowledged", ["count": targets.count]))
        }
    }
}

struct HubAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: L("cmd.audit.abstract"),
        discussion: L("cmd.audit.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    /// A decision's choice as the reader says it: `pick 2` is the second value, a status its name.
    static func choiceWords(_ choice: String) -> String {
        if choice.hasPrefix("pick "), let number = Int(choice.dropFirst(5)) { return L("audit.pick", ["n": number]) }
        return Catalogue.entries(.en)["value.status.\(choice)"] == nil ? choice : valueName(choice, field: "status")
    }

    /// The rules decide as `rule R1`; a person's account name is shown as it is.
    static func workerWords(_ worker: String) -> String {
        worker.hasPrefix("rule R") ? L("audit.rule_worker", ["rule": worker.dropFirst(5)]) : worker
    }

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let decisions = try await hub.decisions()
            let events = try await hub.reading { try $0.auditTrail() }
            // One trail: the two logs merged by time, each kept in its own order.
            var fromDecisions: [(at: Int64, json: AuditEntryDocument, text: String)] = []
            for decision in decisions {
                fromDecisions.append(
                    (
                        decision.atMillis, .decision(AuditEntryDocument.Decision(decision)),
                        L(
                            "audit.decision",
                            [
                                "time": Output.time(decision.atMillis),
                                "kind": codeName(decision.kind, field: "audit_kind"),
                                "record": decision.record, "field": decision.field.map { "/\($0)" } ?? "",
                                "rule": decision.rule, "set": decision.ruleSet,
                                "choice": Self.choiceWords(decision.choice),
                                "worker": Self.workerWords(decision.worker),
                                "note": CauseText.localized(decision.note), "op": decision.op,
                            ])
                    ))
            }
            var fromEvents: [(at: Int64, json: AuditEntryDocument, text: String)] = []
            for event in events {
                fromEvents.append(
                    (
                        event.atMillis, .event(AuditEntryDocument.Event(event)),
                        L(
                            "audit.event",
                            [
                                "time": Output.time(event.atMillis),
                                "action": codeName(event.action, field: "audit_action"),
                                "subject": event.subject,
                                "field": event.field.isEmpty ? "" : " [\(event.field)]", "worker": event.worker,
                                "detail": event.detail.isEmpty ? "" : ": \(event.detail)",
                            ])
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
            if entries.isEmpty { print(L("audit.none")) }
            for entry in entries { print(entry.text) }
        }
    }
}
