import GRDB
import HearthCore

/// A record as people read it: each field's display value, whether it is in conflict and,
/// when it is, every competing value with who wrote it, when and where.
public struct RecordView: Sendable {
    public struct Field: Sendable {
        public let name: String
        public let policy: String
        /// The display text ("" when unset); sensitive values masked unless revealed.
        public let display: String
        public let inConflict: Bool
        /// Concurrent values (more than one only when the field was written concurrently).
        public let candidates: [Candidate]
    }

    public struct Candidate: Sendable {
        public let display: String
        public let dot: String
        public let hlcMillis: Int64
        public let rank: String
    }

    public let id: RecordID
    public let fields: [Field]
    public let conflicts: [String]
    public let clock: VersionVector

    public func value(_ name: String) -> String? {
        fields.first { $0.name == name }.map(\.display)
    }
}

extension ReplicaReading {
    /// Loads a record's merged state, or nil when this replica does not hold it.
    package func state(of id: RecordID) throws(ReplicaError) -> RecordState? {
        try withStatements { sql in try StoredState.load(sql, id) }
    }

    /// A record for display. With `reveal`, sensitive values are shown in clear: the
    /// caller must record that as an audited event.
    package func view(_ id: RecordID, reveal: Bool) throws(ReplicaError) -> RecordView {
        guard let state = try state(of: id) else { throw .unknownRecord(id.value) }
        return Self.view(state, reveal: reveal, opener: keys.opener())
    }

    /// The view of a state already read, its sealed values opened with `opener` (a list opens
    /// a county's ID numbers with one).
    package static func view(_ state: RecordState, reveal: Bool, opener: SealedOpener) -> RecordView {
        var fields: [RecordView.Field] = []
        for spec in RecordSchema.fields(of: state.id.type) {
            let resolution = state.resolution(of: spec)
            fields.append(
                RecordView.Field(
                    name: spec.name, policy: spec.policy.name,
                    display: opener.display(resolution.value, spec: spec, reveal: reveal),
                    inConflict: resolution.inConflict,
                    candidates: resolution.candidates.count > 1
                        ? resolution.candidates.map {
                            RecordView.Candidate(
                                display: opener.display($0.value, spec: spec, reveal: reveal), dot: $0.dot.description,
                                hlcMillis: $0.hlc.millis, rank: $0.rank.rawValue)
                        } : []))
        }
        return RecordView(id: state.id, fields: fields, conflicts: state.conflicts, clock: state.clock)
    }

    /// Text for one value: money in yuan, schedules readable, sensitive values masked.
    package func display(_ value: FieldValue, spec: FieldSpec, reveal: Bool) -> String {
        keys.display(value, spec: spec, reveal: reveal)
    }
}

extension KeyMaterial {
    /// Text for one value: money in yuan, schedules readable, sensitive values opened with
    /// this key and masked unless `reveal` (the caller then records an audited event).
    package func display(_ value: FieldValue, spec: FieldSpec, reveal: Bool) -> String {
        opener().display(value, spec: spec, reveal: reveal)
    }
}

extension SealedOpener {
    /// ``KeyMaterial/display(_:spec:reveal:)`` with this opener's key, made once for many values.
    package func display(_ value: FieldValue, spec: FieldSpec, reveal: Bool) -> String {
        switch value {
        case .null: return ""
        case .text(let text):
            if spec.kind == .schedule, let schedule = AmountSchedule(text: text) {
                return schedule.readable
            }
            return text
        case .integer(let number):
            return spec.kind == .money ? Money(fen: number).yuanText : String(number)
        case .set(let members): return members.joined(separator: ",")
        case .sealed(let sealed):
            guard let clear = open(sealed) else { return "(sealed: not readable with this key)" }
            if reveal { return clear }
            return spec.name == "id_number" ? Mask.idNumber(clear) : Mask.bankCard(clear)
        }
    }
}

/// Masks for sensitive values shown on screen.
public enum Mask {
    public static func idNumber(_ clear: String) -> String {
        guard clear.count == 18 else { return String(repeating: "*", count: clear.count) }
        return String(clear.prefix(6)) + String(repeating: "*", count: 8) + String(clear.suffix(4))
    }

    public static func bankCard(_ clear: String) -> String {
        guard clear.count > 8 else { return String(repeating: "*", count: clear.count) }
        return String(clear.prefix(4)) + String(repeating: "*", count: clear.count - 8) + String(clear.suffix(4))
    }
}

extension ReplicaCore {
    /// Hands `body` each record ``list(_:where:equals:)`` names, as ``view(_:reveal:)`` shows
    /// it (sensitive values masked), in id order, all read in one snapshot of the file; each
    /// view is let go once `body` has it, so a county's list never holds every record's view.
    ///
    /// Why one snapshot: `member list` on a hub lists the county, and each record read in a
    /// read of its own spent two fifths of the time beginning and ending reads (380,000
    /// members on the generated large district: 40 s). One snapshot also lists the records
    /// as they stood at one moment, never some before and some after a sync.
    package func forEachView(
        _ type: RecordType, where column: String? = nil, equals value: String? = nil,
        _ body: (RecordView) throws -> Void
    ) throws(ReplicaError) {
        let info = info
        let keys = keys
        let role = role
        try read { db in
            let reads = ReplicaTransaction(sql: SQLiteStatements(db), info: info, keys: keys, role: role)
            let opener = keys.opener()
            try reads.forEachState(type, where: column, equals: value) { state in
                try body(ReplicaTransaction.view(state, reveal: false, opener: opener))
            }
        }
    }

}
