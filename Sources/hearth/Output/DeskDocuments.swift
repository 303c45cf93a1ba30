import HearthLedger
import HearthStore

/// A field conflict at the county desk, as `hub conflicts list|show --json` print it: the rule
/// that could not decide and why, the base value, and each competing value numbered as `--pick`
/// takes them.
struct ConflictDocument: Codable, Sendable, Equatable {
    struct Candidate: Codable, Sendable, Equatable {
        /// The number `--pick` takes (1 first).
        let n: Int64
        let value: String
        let op: String
        let author: String
        let replica: String
        let at: String
        let rank: String
        @Nullable var reason: String?
    }

    /// `record/field`.
    let id: String
    let record: String
    let field: String
    @Nullable var village: String?
    let rule: String
    let ruleTitle: String
    /// False for a soft decision awaiting review (R4a, R3, …).
    let open: Bool
    let why: String
    /// The value shown now.
    let display: String
    @Nullable var base: String?
    let candidates: [Candidate]

    enum CodingKeys: String, CodingKey {
        case id, record, field, village, rule
        case ruleTitle = "rule_title"
        case open, why, display, base, candidates
    }

    init(_ conflict: ConflictCase) {
        id = conflict.id
        record = conflict.record.value
        field = conflict.field
        village = conflict.village
        rule = conflict.rule.id
        ruleTitle = conflict.rule.title
        open = conflict.open
        why = conflict.rule.reason
        display = conflict.display
        base = conflict.base
        candidates = conflict.candidates.enumerated().map { index, candidate in
            Candidate(
                n: Int64(index + 1), value: candidate.display, op: candidate.dot.description, author: candidate.author,
                replica: candidate.replicaName, at: Output.documentTime(candidate.atMillis), rank: candidate.rank,
                reason: candidate.reason)
        }
    }
}

/// A cross-record rule case at the county desk (R5, R8, …): always open until settled or acknowledged.
struct RuleCaseDocument: Codable, Sendable, Equatable {
    let id: String
    let rule: String
    let kind: String
    @Nullable var village: String?
    let records: [String]
    let detail: String
    /// The enrollments the case holds from payment.
    let holds: [String]
    let open: Bool

    init(_ found: RuleCase) {
        id = found.id
        rule = found.rule
        kind = found.kind
        village = found.village
        records = found.records.map(\.value)
        detail = found.detail
        holds = found.holds.map(\.value)
        open = true
    }
}

/// One entry of `hub conflicts list --json`: field conflicts first, then rule cases.
///
/// Written as the case's own object; read back by its shape (only a field conflict has
/// `candidates`).
enum DeskCaseDocument: Codable, Sendable, Equatable {
    case conflict(ConflictDocument)
    case ruleCase(RuleCaseDocument)

    private enum Shape: String, CodingKey { case candidates }

    init(from decoder: any Decoder) throws {
        if try decoder.container(keyedBy: Shape.self).contains(.candidates) {
            self = .conflict(try ConflictDocument(from: decoder))
        } else {
            self = .ruleCase(try RuleCaseDocument(from: decoder))
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .conflict(let conflict): try conflict.encode(to: encoder)
        case .ruleCase(let found): try found.encode(to: encoder)
        }
    }
}

/// One entry of `hub audit --json`, oldest first: a desk or rule decision, or an audited event (a
/// file written with ID or card numbers in clear, a quarantine release or discard, a `--reveal`).
enum AuditEntryDocument: Codable, Sendable, Equatable {
    /// A resolution, acknowledgement or automatic decision, with its rule and rule-set version.
    struct Decision: Codable, Sendable, Equatable {
        let at: String
        let by: String
        let kind: String
        let record: String
        @Nullable var field: String?
        let rule: String
        let ruleSet: Int64
        let choice: String
        let note: String
        let op: String

        enum CodingKeys: String, CodingKey {
            case at, by, kind, record, field, rule
            case ruleSet = "rule_set"
            case choice, note, op
        }

        init(_ decision: HearthLedger.Decision) {
            at = Output.documentTime(decision.atMillis)
            by = decision.worker
            kind = decision.kind
            record = decision.record
            field = decision.field
            rule = decision.rule
            ruleSet = Int64(decision.ruleSet)
            choice = decision.choice
            note = decision.note
            op = decision.op
        }
    }

    /// An audited event; `record` is its subject (a record id or a file).
    struct Event: Codable, Sendable, Equatable {
        let at: String
        let by: String
        let kind: String
        let record: String
        @Nullable var field: String?
        let detail: String

        init(_ event: AuditEvent) {
            at = Output.documentTime(event.atMillis)
            by = event.worker
            kind = event.action
            record = event.subject
            field = event.field.isEmpty ? nil : event.field
            detail = event.detail
        }
    }

    case decision(Decision)
    case event(Event)

    private enum Shape: String, CodingKey { case rule }

    init(from decoder: any Decoder) throws {
        if try decoder.container(keyedBy: Shape.self).contains(.rule) {
            self = .decision(try Decision(from: decoder))
        } else {
            self = .event(try Event(from: decoder))
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .decision(let decision): try decision.encode(to: encoder)
        case .event(let event): try event.encode(to: encoder)
        }
    }
}
