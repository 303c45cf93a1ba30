import ArgumentParser
import HearthCore
import HearthLedger
import HearthProtocol
import HearthStore

struct ShowOptions: ParsableArguments {
    @Flag(help: .text("opt.json")) var json = false
    @Flag(help: .text("opt.show.history")) var history = false
    @Flag(help: .text("opt.show.reveal"))
    var reveal = false
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: L("cmd.show.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: .text("arg.record")) var id: String

    func run() throws {
        try guarded { try showRecord(id, expected: nil, replica: replica, display: display) }
    }
}

func showRecord(_ text: String, expected: RecordType?, replica options: ReplicaOptions, display: ShowOptions) throws {
    let replica = try options.open()
    // An id as it is; an ID number or a name through the shared resolver.
    let target: RecordReference.Target
    switch expected {
    case .household: target = .household
    case .member: target = .member
    case .enrollment: target = .enrollment(statuses: nil, action: "shown")
    default: target = .any
    }
    let resolved = try RecordReference(text).resolve(target, in: replica)
    guard let id = RecordID(resolved) else {
        throw InputError(field: "id", "input.not_record_id", ["text": text])
    }
    if let expected, id.type != expected { throw ReplicaError.wrongRecordType(id: id.value, expected: expected) }
    // A record let go with an archived household says so, and where it is kept.
    if let node = replica as? Replica { try node.checkNotLetGo(id) }
    let view = try replica.view(id, reveal: display.reveal)
    let entries = try replica.log(record: id)
    if display.reveal {
        // Every sensitive field shown in clear: its value, its competing values, and with
        // --history every value it ever had.
        let reader = try options.author
        var shown: Set<String> = []
        for field in view.fields {
            if !field.display.isEmpty || field.candidates.contains(where: { !$0.display.isEmpty }) {
                shown.insert(field.name)
            }
        }
        if display.history {
            for entry in entries { for (name, value) in entry.op.fields where !value.isNull { shown.insert(name) } }
        }
        for spec in RecordSchema.fields(of: id.type) where spec.isSensitive && shown.contains(spec.name) {
            try replica.audit(worker: reader, action: "reveal", record: id, field: spec.name, nowMillis: nowMillis())
        }
    }
    let holds = try replica.holds(of: id, nowMillis: nowMillis())
    // With the county's standards applied (a raise the enrollment follows); nil when no standard changes it.
    let paying = id.type == .enrollment ? try replica.payingSchedule(of: id) : nil
    var authors: [String: String] = [:]
    for entry in entries { authors[entry.op.dot.description] = entry.op.author }
    if display.json {
        var document = RecordDocument(view, authors: authors)
        if display.history {
            document.history = entries.map { historyEntry($0, replica: replica, reveal: display.reveal) }
        }
        if id.type == .enrollment {
            document.payment = RecordDocument.Payment(
                pays: paying.map(\.description), onHold: !holds.isEmpty, holds: holds)
        }
        try Output.json(document)
        return
    }
    let conflicts = view.conflicts.map(FieldWords.name).joined(separator: ", ")
    print(
        "\(id)  \(FieldWords.type(id.type))\(view.conflicts.isEmpty ? "" : "  " + L("show.in_conflict", ["fields": conflicts]))"
    )
    for reason in holds { print("  " + L("show.on_hold", ["reason": reason])) }
    let width = view.fields.map { Output.width(FieldWords.name($0.name)) }.max() ?? 0
    for field in view.fields where !field.display.isEmpty || !field.candidates.isEmpty {
        let name = FieldWords.name(field.name)
        let pad = String(repeating: " ", count: width - Output.width(name))
        let value = FieldWords.value(field.display, field: field.name)
        if field.inConflict {
            print("  \(name)\(pad)  \(value)   " + L("show.competing", ["policy": field.policy]))
        } else {
            print("  \(name)\(pad)  \(value)")
        }
        if field.candidates.count > 1 {
            for candidate in field.candidates {
                let who = authors[candidate.dot] ?? "?"
                let line = L(
                    "show.candidate",
                    [
                        "value": FieldWords.value(candidate.display, field: field.name), "author": who,
                        "time": Output.time(candidate.hlcMillis), "dot": candidate.dot, "rank": candidate.rank,
                    ])
                print("  \(String(repeating: " ", count: width))    " + line)
            }
        }
    }
    if let paying, paying.description != (try replica.state(of: id)?.resolution(of: "amount").value.textValue) {
        let label = L("show.pays")
        let width = max(width, Output.width(label) + 2)
        print(
            "  \(label)\(String(repeating: " ", count: width - Output.width(label)))  \(paying.readable)   "
                + L("show.with_standards"))
    }
    if display.history {
        print(L("show.history"))
        for entry in entries {
            let fields = entry.op.fields.sorted { $0.key < $1.key }.map { name, value in
                let shown = displayValue(value, field: name, type: id.type, replica: replica, reveal: display.reveal)
                return "\(FieldWords.name(name))=\(FieldWords.value(shown, field: name))"
            }
            let cause = entry.op.cause.map { "  [\(CauseText.localized($0))]" } ?? ""
            print(
                "  \(Output.time(entry.op.hlc.millis))  \(entry.op.author)  \(L("show.op", ["dot": entry.op.dot]))\(entry.state == "waiting" ? L("show.waiting") : "")\(cause)"
            )
            print("    " + fields.joined(separator: "  "))
        }
    }
}

func displayValue(_ value: FieldValue, field: String, type: RecordType, replica: ReplicaCore, reveal: Bool) -> String {
    guard let spec = RecordSchema.field(field, of: type) else { return "?" }
    let text = replica.display(value, spec: spec, reveal: reveal)
    return text.isEmpty ? L("show.none") : text
}

func historyEntry(_ entry: LogEntry, replica: ReplicaCore, reveal: Bool) -> HistoryEntry {
    var fields: [String: String] = [:]
    for (name, value) in entry.op.fields {
        fields[name] = displayValue(value, field: name, type: entry.op.record.type, replica: replica, reveal: reveal)
    }
    return HistoryEntry(
        dot: entry.op.dot.description, author: entry.op.author, at: Output.documentTime(entry.op.hlc.millis),
        fields: fields,
        cause: entry.op.cause, state: entry.state)
}

func listRecords(
    _ type: RecordType, where column: String? = nil, equals value: String?, replica: ReplicaCore, json: Bool,
    columns: [String]
) throws {
    var rows: [[String]] = []
    var documents = Output.JSONArray()
    // Villages shown with their registered names (`hub division set`), in the table and in --json.
    let names = try replica.divisionNames()
    try replica.forEachView(type, where: value == nil ? nil : column, equals: value) { view in
        let id = view.id
        let village = view.value("village")
        if json {
            var document = RecordDocument(view, authors: [:])
            if let village, !village.isEmpty { document.places = RecordDocument.Places(village: village, names: names) }
            try documents.append(document)
        } else {
            rows.append(
                [id.value]
                    + columns.map {
                        $0 == "village"
                            ? names.label(view.value($0) ?? "") : FieldWords.value(view.value($0) ?? "", field: $0)
                    }
                    + [view.conflicts.isEmpty ? "" : L("list.conflict")])
        }
    }
    if json {
        documents.print()
    } else if rows.isEmpty {
        print(L("show.none"))
    } else {
        Output.table([FieldWords.name("id")] + columns.map(FieldWords.name) + [""], rows)
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: L("cmd.log.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.log.record")) var record: String?
    @Option(help: .text("opt.log.limit")) var limit: Int?
    @Flag(help: .text("opt.log.json")) var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let id = try record.map { text throws in
                guard let id = RecordID(text) else { throw InputError(field: "record", "input.not_a_record_id") }
                return id
            }
            // Each entry is printed (or its text kept) as it is read: a hub's log is the county's history.
            if json {
                var array = Output.JSONArray()
                try open.forEachLogEntry(record: id, limit: limit) { try array.append(LogDocument($0)) }
                array.print()
                return
            }
            try open.forEachLogEntry(record: id, limit: limit) { entry in
                let op = entry.op
                let fields = op.fields.keys.sorted().joined(separator: ",")
                print(
                    "\(entry.seq)  \(Output.time(op.hlc.millis))  \(op.dot)  \(op.author)  \(op.record)  \(fields)\(entry.state == "waiting" ? " " + L("show.waiting") : "")"
                )
            }
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: L("cmd.status.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let status = try open.status()
            // A node's side of sync; the county hub has none (no hub of its own, nothing to push).
            let sync = try (open as? Replica)?.syncState()
            // The county's decisions are the hub's own ops; a node knows its hub once registered.
            let hubID = open.info.role == .hub ? open.info.id : sync?.hubReplica
            // The hub's refusals of this node's last push, as the client stored them (QuarantineNote's form).
            let refused = ((sync?.notes.flatMap { try? JSON.parse($0) }?.arrayValue) ?? []).compactMap {
                try? QuarantineNote(json: $0)
            }
            let counts = RecordType.allCases.map { ($0.table, status.counts[$0] ?? 0) }
            // Open rule cases by rule (kept as the records change: reading them costs what is open).
            var cases: [String: Int64] = [:]
            for found in try open.ruleCases(nowMillis: nowMillis()) { cases[found.rule, default: 0] += 1 }
            let names = try open.divisionNames()
            if json {
                try Output.json(
                    StatusDocument(
                        replica: status.info.id.value, name: status.info.name, role: status.info.role.rawValue,
                        scope: status.info.scope.value, scopeName: names.name(of: status.info.scope.value),
                        records: Dictionary(uniqueKeysWithValues: counts.map { ($0.0, Int64($0.1)) }),
                        inConflict: Int64(status.conflicted), openRuleCases: cases,
                        pendingIDNumbers: Int64(status.pendingIDs),
                        versionVector: Dictionary(
                            uniqueKeysWithValues: status.vector.sorted.map { ($0.replica.value, Int64($0.counter)) }),
                        ownOps: Int64(status.ownOps), unsyncedOps: Int64(status.unsynced),
                        waitingOps: Int64(status.waiting), logSize: Int64(status.logSize),
                        hub: sync?.hubReplica?.value, lastSync: sync?.lastSyncMillis.map(Output.documentTime),
                        pullCursor: sync?.pullCursor ?? 0, refusedByHub: refused.map(RefusedOp.init),
                        conflicts: try open.conflictedFields(),
                        onHold: try open.heldEnrollments(nowMillis: nowMillis()).map {
                            StatusDocument.HeldEnrollment(enrollment: $0.0.value, reasons: $0.1)
                        },
                        countyDecisions: try (hubID.map { try open.countyDecisions(by: $0) } ?? []).map {
                            StatusDocument.CountyDecision(
                                record: $0.record.value, op: $0.dot.description, cause: $0.cause ?? "")
                        }))
                return
            }
            print(
                L(
                    "status.replica",
                    [
                        "id": status.info.id, "name": status.info.name,
                        "role": valueName(status.info.role.rawValue, field: "replica_role"),
                    ]))
            print(
                L(
                    "status.scope",
                    [
                        "scope": names.label(status.info.scope.value),
                        "level": valueName(status.info.scope.level.rawValue, field: "level"),
                    ]))
            let countWords = RecordType.allCases.map {
                L("status.count", ["type": FieldWords.type($0), "count": status.counts[$0] ?? 0])
            }
            print(L("status.records", ["counts": countWords.joined(separator: L("status.sep"))]))
            let caseCount = cases.values.reduce(0, +)
            let byRule = cases.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                separator: L("status.sep"))
            print(
                L(
                    "status.conflict",
                    [
                        "conflicted": status.conflicted, "cases": caseCount,
                        "rules": byRule.isEmpty ? "" : L("status.rules", ["rules": byRule]),
                        "pending": status.pendingIDs,
                    ]))
            print(L("status.vector", ["vector": status.vector]))
            // The hub is where ops are synced to: it has nothing of its own to send.
            let unsynced = status.info.role == .hub ? "" : L("status.unsynced", ["count": status.unsynced])
            print(
                L(
                    "status.ops",
                    [
                        "log": status.logSize, "own": status.ownOps, "unsynced": unsynced, "waiting": status.waiting,
                    ]))
            if let sync, let hub = sync.hubReplica {
                let place = sync.hubURL.map { L("status.hub_at", ["url": $0]) } ?? L("status.file_sync")
                let last = sync.lastSyncMillis.map(Output.time) ?? L("status.never")
                print(L("status.hub", ["hub": hub, "where": place, "last": last]))
            }
            for note in refused {
                print(L("status.refused", ["dot": note.dot, "reason": note.reason]))
            }
            for field in try open.conflictedFields() { print(L("status.field_conflict", ["field": field])) }
            for (enrollment, reasons) in try open.heldEnrollments(nowMillis: nowMillis()) {
                print(
                    L(
                        "status.on_hold",
                        ["enrollment": enrollment, "reasons": reasons.joined(separator: L("status.reason_sep"))]))
            }
            for op in try hubID.map({ try open.countyDecisions(by: $0, limit: 10) }) ?? [] {
                print(
                    L(
                        "status.county",
                        [
                            "time": Output.time(op.hlc.millis), "record": op.record,
                            "cause": CauseText.localized(op.cause ?? ""),
                        ]))
            }
        }
    }
}
