import ArgumentParser
import HearthCore
import HearthLedger
import HearthProtocol
import HearthStore

struct ShowOptions: ParsableArguments {
    @Flag(help: "Print one JSON document.") var json = false
    @Flag(help: "Also show every change to each field, oldest first.") var history = false
    @Flag(help: "Show ID and bank card numbers in clear (needs --worker; recorded as an audited event).")
    var reveal = false
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show any record by id; a field in conflict lists every competing value.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: "A household, member, enrollment or visit id; or a member's ID number or name.") var id: String

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
        throw InputError(field: "id", reason: "\"\(text)\" is not a record id (e.g. H-3f9a2c71b0d4-42)")
    }
    if let expected, id.type != expected { throw ReplicaError.wrongRecordType(id: id.value, expected: expected) }
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
    print(
        "\(id)  \(id.type.rawValue)\(view.conflicts.isEmpty ? "" : "  IN CONFLICT: \(view.conflicts.joined(separator: ", "))")"
    )
    for reason in holds { print("  ON HOLD (no payment until the county decides): \(reason)") }
    let width = view.fields.map(\.name.count).max() ?? 0
    for field in view.fields where !field.display.isEmpty || !field.candidates.isEmpty {
        let pad = String(repeating: " ", count: width - field.name.count)
        if field.inConflict {
            print("  \(field.name)\(pad)  \(field.display)   <- in conflict (\(field.policy)); competing values:")
        } else {
            print("  \(field.name)\(pad)  \(field.display)")
        }
        if field.candidates.count > 1 {
            for candidate in field.candidates {
                let who = authors[candidate.dot] ?? "?"
                print(
                    "  \(String(repeating: " ", count: width))    \(candidate.display)  by \(who) at \(Output.time(candidate.hlcMillis)), op \(candidate.dot) (\(candidate.rank))"
                )
            }
        }
    }
    if let paying, paying.description != (try replica.state(of: id)?.resolution(of: "amount").value.textValue) {
        let width = max(width, 6)
        print("  pays\(String(repeating: " ", count: width - 4))  \(paying.readable)   (with the county's standards)")
    }
    if display.history {
        print("history:")
        for entry in entries {
            let fields = entry.op.fields.sorted { $0.key < $1.key }.map { name, value in
                "\(name)=\(displayValue(value, field: name, type: id.type, replica: replica, reveal: display.reveal))"
            }
            let cause = entry.op.cause.map { "  [\($0)]" } ?? ""
            print(
                "  \(Output.time(entry.op.hlc.millis))  \(entry.op.author)  op \(entry.op.dot)\(entry.state == "waiting" ? " (waiting)" : "")\(cause)"
            )
            print("    " + fields.joined(separator: "  "))
        }
    }
}

func displayValue(_ value: FieldValue, field: String, type: RecordType, replica: ReplicaCore, reveal: Bool) -> String {
    guard let spec = RecordSchema.field(field, of: type) else { return "?" }
    let text = replica.display(value, spec: spec, reveal: reveal)
    return text.isEmpty ? "(none)" : text
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

func listRecords(_ ids: [RecordID], replica: ReplicaCore, json: Bool, columns: [String]) throws {
    var rows: [[String]] = []
    var documents: [RecordDocument] = []
    for id in ids {
        let view = try replica.view(id, reveal: false)
        if json {
            documents.append(RecordDocument(view, authors: [:]))
        } else {
            rows.append([id.value] + columns.map { view.value($0) ?? "" } + [view.conflicts.isEmpty ? "" : "conflict"])
        }
    }
    if json {
        try Output.json(documents)
    } else if rows.isEmpty {
        print("(none)")
    } else {
        Output.table(["id"] + columns + [""], rows)
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The op log: every change this replica holds, in the order it received them.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Only ops on this record.") var record: String?
    @Option(help: "At most this many ops.") var limit: Int?
    @Flag(help: "Print one JSON document (the ops in their wire form, sensitive values sealed).") var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let id = try record.map { text throws in
                guard let id = RecordID(text) else { throw InputError(field: "record", reason: "not a record id") }
                return id
            }
            let entries = try open.log(record: id, limit: limit)
            if json {
                try Output.json(entries.map(LogDocument.init))
                return
            }
            for entry in entries {
                let op = entry.op
                let fields = op.fields.keys.sorted().joined(separator: ",")
                print(
                    "\(entry.seq)  \(Output.time(op.hlc.millis))  \(op.dot)  \(op.author)  \(op.record)  \(fields)\(entry.state == "waiting" ? "  (waiting)" : "")"
                )
            }
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Replica id, scope, record counts, version vector and ops not yet synced.")
    @OptionGroup var replica: ReplicaOptions
    @Flag(help: "Print one JSON document.") var json = false

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
            if json {
                try Output.json(
                    StatusDocument(
                        replica: status.info.id.value, name: status.info.name, role: status.info.role.rawValue,
                        scope: status.info.scope.value,
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
            print("replica   \(status.info.id)  \(status.info.name) (\(status.info.role.rawValue))")
            print("scope     \(status.info.scope.value) (\(status.info.scope.level.rawValue))")
            print("records   " + counts.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
            let caseCount = cases.values.reduce(0, +)
            let byRule = cases.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print(
                "conflict  \(status.conflicted) record(s) in conflict; \(caseCount) open rule case(s)"
                    + (byRule.isEmpty ? "" : " (\(byRule))")
                    + "; \(status.pendingIDs) member(s) without an ID number (pending)"
            )
            print("vector    \(status.vector)")
            // The hub is where ops are synced to: it has nothing of its own to send.
            let unsynced = status.info.role == .hub ? "" : ", \(status.unsynced) not yet synced"
            print(
                "ops       \(status.logSize) in the log, \(status.ownOps) made here\(unsynced), \(status.waiting) waiting for earlier ops"
            )
            if let sync, let hub = sync.hubReplica {
                print(
                    "hub       \(hub)\(sync.hubURL.map { " at \($0)" } ?? " (file sync)"), last sync \(sync.lastSyncMillis.map(Output.time) ?? "never")"
                )
            }
            for note in refused {
                print("refused   \(note.dot): \(note.reason)")
            }
            for field in try open.conflictedFields() { print("conflict  \(field) (the county decides)") }
            for (enrollment, reasons) in try open.heldEnrollments(nowMillis: nowMillis()) {
                print("on hold   \(enrollment): \(reasons.joined(separator: "; "))")
            }
            for op in try hubID.map({ try open.countyDecisions(by: $0, limit: 10) }) ?? [] {
                print("county    \(Output.time(op.hlc.millis))  \(op.record): \(op.cause ?? "")")
            }
        }
    }
}
