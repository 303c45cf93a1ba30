import Foundation
import HearthCore
import HearthStore
import HearthText

/// A field written concurrently, as the county's desk shows it.
public struct ConflictCase: Sendable {
    public struct Candidate: Sendable {
        public let value: FieldValue
        public let display: String
        public let dot: Dot
        public let author: String
        public let replicaName: String
        public let atMillis: Int64
        public let rank: String
        /// Why the writer set this value: the cause of the op that wrote it (an amount change's
        /// "amount change: 提标", a move, a resolution), nil when the writer gave none.
        public let reason: String?
    }

    /// `<record>/<field>`, e.g. `E-3f9a2c71b0d4-4/amount`.
    public var id: String { "\(record.value)/\(field)" }
    public let record: RecordID
    public let field: String
    public let village: String?
    public let rule: ConflictRules.Rule
    /// True when the policy could not decide (hard); false for a soft decision to review.
    public let open: Bool
    public let display: String
    /// The value every competing write started from, when the log shows one.
    public let base: String?
    public let candidates: [Candidate]

    /// The conflict as it stood when shown: its competing writes, by their dots. A page carries
    /// it with its resolution form, so a resolution made from a page gone stale is refused
    /// (``DeskGuard``) rather than settling writes its author never saw.
    public var version: String { ConflictCase.version(of: candidates.map(\.dot)) }

    /// The version of a field's competing writes, in one canonical order.
    static func version(of dots: [Dot]) -> String {
        dots.map(\.description).sorted().joined(separator: ",")
    }
}

/// What a resolution made at the desk in the browser must still find when it is written, checked
/// in the transaction that writes it, and the audit line written with it.
///
/// Why in the transaction: a push may land between the page's last read and the write; the
/// resolution's op would then cover a value its author never saw. The check and the write are
/// one transaction, so a conflict that changed is refused (``ReplicaError/invalid(_:)`` on the
/// field `version`) and nothing is written.
public struct DeskGuard: Sendable {
    /// The conflict's ``ConflictCase/version`` as the page showed it.
    public let seen: String
    /// A reviewer's township: the record must lie in it at the hub now, or the resolution is
    /// refused as for a record that does not exist (``ReplicaError/unknownRecord(_:)``).
    public let within: ScopePrefix?
    /// The audit line of the desk action, written in the same transaction.
    public let audit: AuditEvent

    public init(seen: String, within: ScopePrefix?, audit: AuditEvent) {
        self.seen = seen
        self.within = within
        self.audit = audit
    }
}

/// How an administrator settles a conflict.
public enum DeskChoice: Sendable, Equatable {
    /// The N-th competing value, counting from 1 as `conflicts show` lists them.
    case pick(Int)
    /// The latest write by HLC.
    case newest
    /// The value the county wrote (there must be exactly one).
    case county
    /// A value typed by the administrator, in the field's input form.
    case value(String)
}

extension HubLedger {
    /// Open conflicts (hard), and with `soft` also the soft decisions awaiting review,
    /// filtered by township prefix, kind (field name or record type) and rule id.
    public func conflicts(soft: Bool = false, township: String? = nil, kind: String? = nil, rule: String? = nil)
        async throws(ReplicaError) -> [ConflictCase]
    {
        let names = try await nodeNames()
        let info = info
        return try await reading { replica in
            var ids: [RecordID] = []
            if soft {
                for type in RecordType.allCases { ids += try replica.list(type) }
            } else {
                var seen: Set<RecordID> = []
                for field in try replica.conflictedFields() {
                    guard let id = RecordID(String(field.split(separator: "/")[0])), seen.insert(id).inserted else {
                        continue
                    }
                    ids.append(id)
                }
            }
            var cases: [ConflictCase] = []
            for id in ids {
                guard let state = try replica.state(of: id) else { continue }
                let village = state.resolution(of: "village").value.textValue
                if let township, !(village ?? "").hasPrefix(township) { continue }
                for field in state.registers.keys.sorted() {
                    let resolution = state.resolution(of: field)
                    guard resolution.candidates.count > 1 else { continue }
                    let distinct = resolution.candidates.contains {
                        !$0.value.sameMeaning(as: resolution.candidates[0].value)
                    }
                    guard resolution.inConflict || (soft && distinct) else { continue }
                    let ruleFor = ConflictRules.rule(for: id.type, field: field)
                    if let rule, ruleFor.id != rule { continue }
                    if let kind, kind != field, kind != id.type.rawValue { continue }
                    cases.append(
                        try Self.conflictCase(
                            replica, info: info, state: state, field: field, village: village, names: names))
                }
            }
            return cases
        }
    }

    /// One conflict by its id (`<record>/<field>`).
    public func conflict(_ text: String) async throws(ReplicaError) -> ConflictCase {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = RecordID(parts[0]), RecordSchema.field(parts[1], of: id.type) != nil else {
            throw .invalid(InputError(field: "id", "desk.not_conflict_id", ["text": text]))
        }
        let names = try await nodeNames()
        let info = info
        return try await reading { replica in
            guard let state = try replica.state(of: id) else { throw ReplicaError.unknownRecord(id.value) }
            guard state.resolution(of: parts[1]).candidates.count > 1 else {
                throw ReplicaError.invalid(InputError(field: "id", "desk.one_value", ["id": text]))
            }
            return try Self.conflictCase(
                replica, info: info, state: state, field: parts[1],
                village: state.resolution(of: "village").value.textValue, names: names)
        }
    }

    /// The registered nodes' names by replica id, to name who wrote each value.
    private func nodeNames() async throws(ReplicaError) -> [String: String] {
        var names: [String: String] = [:]
        for node in try await storage.nodes() { names[node.replica.value] = node.name }
        return names
    }

    private static func conflictCase(
        _ replica: some ReplicaReading, info: ReplicaInfo, state: RecordState, field: String, village: String?,
        names: [String: String]
    ) throws(ReplicaError) -> ConflictCase {
        guard let spec = RecordSchema.field(field, of: state.id.type) else {
            throw .database(Catalogue.text("desk.unknown_field", ["field": field]))
        }
        let resolution = state.resolution(of: field)
        let entries = try replica.log(record: state.id)
        var opsByDot: [Dot: Op] = [:]
        for entry in entries { opsByDot[entry.op.dot] = entry.op }
        let candidates = resolution.candidates.map { entry in
            ConflictCase.Candidate(
                value: entry.value, display: replica.display(entry.value, spec: spec, reveal: false), dot: entry.dot,
                author: opsByDot[entry.dot]?.author ?? "?",
                replicaName: entry.dot.replica == info.id
                    ? "\(info.name) (hub)" : names[entry.dot.replica.value] ?? entry.dot.replica.value,
                atMillis: entry.hlc.millis, rank: entry.rank.rawValue, reason: opsByDot[entry.dot]?.cause)
        }
        // The base: the latest earlier write of the field that every competing write had seen.
        let competing = resolution.candidates.compactMap { opsByDot[$0.dot] }
        let base = entries.map(\.op).filter { op in
            op.fields[field] != nil && !resolution.candidates.contains { $0.dot == op.dot }
                && competing.allSatisfy { $0.context.covers(op.dot) }
        }.max { ($0.hlc, $0.dot) < ($1.hlc, $1.dot) }
        return ConflictCase(
            record: state.id, field: field, village: village,
            rule: ConflictRules.rule(for: state.id.type, field: field),
            open: resolution.inConflict, display: replica.display(resolution.value, spec: spec, reveal: false),
            base: base.map { replica.display($0.fields[field] ?? .null, spec: spec, reveal: false) },
            candidates: candidates)
    }

    /// Settles a conflict with one value: a hub op whose context covers every competing
    /// value, so it replaces them on every replica it reaches. Recorded in `decisions`.
    /// From the desk in the browser, `guarded` is checked and its audit line written in the same
    /// transaction as the resolution (``DeskGuard``).
    @discardableResult
    public func resolve(
        _ id: String, choice: DeskChoice, note: String, author: String, nowMillis: Int64, guarded: DeskGuard? = nil
    ) async throws(ReplicaError) -> Op {
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw .invalid(InputError(field: "note", "desk.note"))
        }
        let conflict = try await conflict(id)
        guard let spec = RecordSchema.field(conflict.field, of: conflict.record.type) else {
            throw .database(Catalogue.text("desk.unknown_field", ["field": conflict.field]))
        }
        let value: FieldValue
        switch choice {
        case .pick(let number):
            guard (1...conflict.candidates.count).contains(number) else {
                throw .invalid(
                    InputError(field: "pick", "input.range", ["low": "1", "high": "\(conflict.candidates.count)"]))
            }
            value = conflict.candidates[number - 1].value
        case .newest:
            value = conflict.candidates.max { ($0.atMillis, $0.dot) < ($1.atMillis, $1.dot) }!.value
        case .county:
            let county = conflict.candidates.filter { $0.rank == ScopePrefix.Level.county.rawValue }
            guard let first = county.first, county.allSatisfy({ $0.value.sameMeaning(as: first.value) }) else {
                throw .invalid(InputError(field: "pick", "desk.no_county_value_pick"))
            }
            value = first.value
        case .value(let text):
            value = try typedValue(text, spec: spec, nowMillis: nowMillis)
        }
        var fields: [String: FieldValue] = [conflict.field: value]
        if spec.kind == .schedule, case .text(let typed) = value, case .value = choice,
            let schedule = AmountSchedule(text: typed), let first = schedule.entries.first
        {
            // A schedule typed from a month on keeps the months before it, when every competing
            // value agrees on them; otherwise the whole schedule must be given.
            let earlier = conflict.candidates.compactMap { $0.value.textValue.flatMap(AmountSchedule.init(text:)) }
                .map { candidate in
                    candidate.entries.filter { $0.from < first.from }.map { "\($0.from):\($0.amount.text)" }
                }
            guard let agreed = earlier.first, earlier.allSatisfy({ $0 == agreed }) else {
                throw .invalid(InputError(field: "value", "desk.schedules_differ", ["month": "\(first.from)"]))
            }
            let kept = AmountSchedule(text: agreed.joined(separator: ";")) ?? AmountSchedule()
            var merged = kept
            for entry in schedule.entries { merged = merged.setting(entry.amount, from: entry.from) }
            fields[conflict.field] = .text(merged.description)
        }
        fields.merge(Self.settledFields(record: conflict.record, field: conflict.field, value: value)) { kept, _ in kept
        }
        let ruleID = conflict.rule.id
        let open = conflict.open
        let choiceText: String =
            switch choice {
            case .pick(let number): "pick \(number)"
            case .newest: "newest"
            case .county: "county"
            case .value: "value"
            }
        let record = conflict.record
        let field = conflict.field
        let settled = fields
        let (_, ops) = try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            if let guarded {
                guard let state = try edit.state(of: record) else { throw ReplicaError.unknownRecord(record.value) }
                if let within = guarded.within,
                    !(state.resolution(of: "village").value.textValue ?? "").hasPrefix(within.value)
                {
                    throw ReplicaError.unknownRecord(record.value)
                }
                let now = ConflictCase.version(of: state.resolution(of: field).candidates.map(\.dot))
                guard now == guarded.seen else {
                    throw InputError(field: "version", "desk.changed", ["id": "\(record.value)/\(field)"])
                }
                try edit.audit(guarded.audit)
            }
            try Self.writeSettlement(
                edit, record: record, field: field, fields: settled, open: open, ruleID: ruleID, choice: choiceText,
                note: trimmed)
        }
        return ops[0]
    }

    /// The fields a settlement of `field` with `value` writes: the value and, when an
    /// enrollment's status is settled on anything but an exit, the exit's own fields cleared
    /// (the enrollment goes on: what only an exit wrote no longer applies).
    static func settledFields(record: RecordID, field: String, value: FieldValue) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [field: value]
        if record.type == .enrollment, field == "status", value != .text("exited") {
            fields["exit_reason"] = .null
            fields["end_month"] = .null
        }
        return fields
    }

    /// Writes one settlement in a county edit: the op whose context covers every competing
    /// value, and its decision (a resolution of an open conflict, an acknowledgement of a soft one).
    @discardableResult
    static func writeSettlement(
        _ edit: any CountyEditing, record: RecordID, field: String, fields: [String: FieldValue], open: Bool,
        ruleID: String, choice: String, note: String
    ) throws -> Op {
        let kind = open ? "resolution" : "acknowledgement"
        let op = try edit.update(
            record, fields: fields,
            cause: "\(kind) of \(field) (rule \(ruleID), rule set \(ConflictRules.ruleSetVersion)): \(note)")
        try edit.record(
            DecisionDraft(
                kind: kind, record: record.value, field: field, rule: ruleID, choice: choice, note: note,
                op: op.dot.description))
        return op
    }

    /// Reads a value typed at the desk in the field's input form (yuan for money, a
    /// schedule as `YYYY-MM:yuan;...`), sealing sensitive values.
    func typedValue(_ text: String, spec: FieldSpec, nowMillis: Int64) throws(ReplicaError) -> FieldValue {
        let field = "value"
        do {
            switch spec.kind {
            case .money: return .integer(try Money.parse(yuan: text, field: field).fen)
            case .integer(let range):
                guard let number = Int64(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
                    throw InputError(
                        field: field, "input.whole_number",
                        ["low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
                }
                return .integer(number)
            case .date: return .text(try CivilDate.parse(text, field: field).description)
            case .month: return .text(try Month.parse(text, field: field).description)
            case .division: return .text(try DivisionCode.parse(text, field: field).value)
            case .code(let codes):
                guard codes.contains(text) else {
                    throw InputError(field: field, "input.one_of_codes", ["allowed": codes.joined(separator: ", ")])
                }
                return .text(text)
            case .reference(let type):
                guard let id = RecordID(text), id.type == type else {
                    throw InputError(field: field, "input.must_be_id", ["type": Checks.typeWord(type)])
                }
                return .text(id.value)
            case .text(let maxLength): return .text(try Checks.text(text, field: field, maxLength: maxLength))
            case .set: return FieldValue.makeSet(text.split(separator: ",").map(String.init))
            case .sealed:
                if spec.name == "id_number" {
                    return .sealed(
                        keys.seal(
                            try IDNumber(parsing: text, field: field, today: DomainCalendar.date(atMillis: nowMillis))
                                .value))
                }
                return .sealed(keys.seal(try BankCard.parse(text, field: field).value))
            case .schedule:
                var schedule = AmountSchedule()
                for part in text.split(separator: ";") {
                    let pieces = part.split(separator: ":").map(String.init)
                    guard pieces.count == 2 else {
                        throw InputError(field: field, "input.schedule_format")
                    }
                    schedule = schedule.setting(
                        try ScheduledAmount.parse(pieces[1], field: field),
                        from: try Month.parse(pieces[0], field: field))
                }
                guard !schedule.entries.isEmpty else {
                    throw InputError(field: field, "input.schedule_empty")
                }
                return .text(schedule.description)
            }
        } catch let error as InputError { throw .invalid(error) } catch { throw .database(String(describing: error)) }
    }

    /// Every resolution, acknowledgement and automatic rule decision, oldest first, for
    /// `hearth hub audit`.
    public func decisions() async throws(ReplicaError) -> [Decision] {
        try await storage.decisions()
    }
}

extension HubLedger {
    /// One page of the hub's audit (decisions and events together) matching `query`, newest
    /// first, and how many lines match: the desk's searchable audit.
    public func audit(_ query: AuditQuery, limit: Int, offset: Int) async throws(ReplicaError)
        -> (lines: [AuditLine], total: Int)
    {
        try await storage.audit(query, limit: limit, offset: offset)
    }
}
