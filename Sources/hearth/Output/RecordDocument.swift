import HearthCore
import HearthStore

/// A record as `hearth show --json` and the `list --json` commands print it: each field's display
/// value (`null` when unset), the fields in conflict, and every competing value of those fields.
///
/// `show` adds `history` with `--history`, and for an enrollment what it pays and whether it is
/// held (`pays`, `on_hold`, `holds`); those keys are absent otherwise, so the document is coded by
/// hand rather than synthesized.
struct RecordDocument: Codable, Sendable, Equatable {
    /// One competing value of a field written concurrently.
    struct CompetingValue: Codable, Sendable, Equatable {
        let value: String
        let dot: String
        @Nullable var author: String?
        let at: String
        let rank: String
    }

    /// What an enrollment pays with the county's standards, and its holds.
    struct Payment: Codable, Sendable, Equatable {
        /// The amount schedule as the standards make it; nil when no standard changes it.
        let pays: String?
        let onHold: Bool
        let holds: [String]
    }

    let id: String
    let type: String
    let fields: [String: String?]
    let conflicts: [String]
    let concurrent: [String: [CompetingValue]]
    /// Every op on the record, oldest first (`show --history` only).
    var history: [HistoryEntry]?
    /// Enrollments only (`show` only).
    var payment: Payment?
    /// The registered names of the record's village and its township (`list` commands, for a
    /// record with a village); each null when none is registered.
    var places: Places?

    /// The names beside a record's village code.
    struct Places: Codable, Sendable, Equatable {
        let village: String?
        let township: String?

        init(village code: String, names: DivisionNames) {
            village = names.name(of: code)
            township = names.name(of: String(code.prefix(9)))
        }

        init(village: String?, township: String?) {
            self.village = village
            self.township = township
        }
    }

    /// The record as the view shows it; `authors` names the writer of each competing value's op.
    init(_ view: RecordView, authors: [String: String]) {
        var values: [String: String?] = [:]
        var competing: [String: [CompetingValue]] = [:]
        for field in view.fields {
            values.updateValue(field.display.isEmpty ? nil : field.display, forKey: field.name)
            if !field.candidates.isEmpty {
                competing[field.name] = field.candidates.map { candidate in
                    CompetingValue(
                        value: candidate.display, dot: candidate.dot, author: authors[candidate.dot],
                        at: Output.documentTime(candidate.hlcMillis), rank: candidate.rank)
                }
            }
        }
        id = view.id.value
        type = view.id.type.rawValue
        fields = values
        conflicts = view.conflicts
        concurrent = competing
    }

    enum CodingKeys: String, CodingKey {
        case id, type, fields, conflicts, concurrent, history, pays
        case onHold = "on_hold"
        case holds
        case villageName = "village_name"
        case townshipName = "township_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        fields = try container.decode([String: String?].self, forKey: .fields)
        conflicts = try container.decode([String].self, forKey: .conflicts)
        concurrent = try container.decode([String: [CompetingValue]].self, forKey: .concurrent)
        history = try container.decodeIfPresent([HistoryEntry].self, forKey: .history)
        if container.contains(.onHold) {
            payment = Payment(
                pays: try container.decodeIfPresent(String.self, forKey: .pays),
                onHold: try container.decode(Bool.self, forKey: .onHold),
                holds: try container.decode([String].self, forKey: .holds))
        }
        if container.contains(.villageName) {
            places = Places(
                village: try container.decodeIfPresent(String.self, forKey: .villageName),
                township: try container.decodeIfPresent(String.self, forKey: .townshipName))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(fields, forKey: .fields)
        try container.encode(conflicts, forKey: .conflicts)
        try container.encode(concurrent, forKey: .concurrent)
        if let history { try container.encode(history, forKey: .history) }
        if let payment {
            try container.encode(Nullable(wrappedValue: payment.pays), forKey: .pays)
            try container.encode(payment.onHold, forKey: .onHold)
            try container.encode(payment.holds, forKey: .holds)
        }
        if let places {
            try container.encode(Nullable(wrappedValue: places.village), forKey: .villageName)
            try container.encode(Nullable(wrappedValue: places.township), forKey: .townshipName)
        }
    }
}

/// One op on a record as `show --history --json` prints it: the values as people read them.
struct HistoryEntry: Codable, Sendable, Equatable {
    let dot: String
    let author: String
    let at: String
    let fields: [String: String]
    @Nullable var cause: String?
    let state: String
}
