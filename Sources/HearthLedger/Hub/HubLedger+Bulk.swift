import Crypto
import Foundation
import HearthCore
import HearthStore
import HearthText

/// How a bulk resolution picks each conflict's value: the choices of
/// ``HubLedger/resolve(_:choice:note:author:nowMillis:guarded:)`` that mean the same for every
/// conflict (a number or a typed value differs per conflict, so neither is offered in bulk).
public enum BulkChoice: String, Sendable, CaseIterable {
    /// The value the county wrote (``DeskChoice/county``); a conflict where the county wrote no
    /// single value is left open and listed as such.
    case county
    /// The latest write by its time (``DeskChoice/newest``).
    case newest

    /// The same choice for one conflict.
    public var deskChoice: DeskChoice { self == .county ? .county : .newest }
}

/// Which open conflicts a bulk resolution covers: the desk's list filters.
public struct BulkFilter: Sendable, Hashable {
    /// A township or village code the record's current village at the hub begins with; nil for
    /// the county. A reviewer's is always their township.
    public var place: String?
    /// A field name or a record type.
    public var kind: String?
    /// A rule id (`R4b`, …).
    public var rule: String?
    /// Only conflicts whose latest competing write is at least this old.
    public var olderThanMillis: Int64

    public init(place: String? = nil, kind: String? = nil, rule: String? = nil, olderThanMillis: Int64 = 0) {
        self.place = place
        self.kind = kind
        self.rule = rule
        self.olderThanMillis = olderThanMillis
    }
}

/// One conflict a bulk resolution settles, and with what.
public struct BulkRow: Sendable, Hashable {
    public let record: RecordID
    public let field: String
    public let village: String?
    public let ruleID: String
    /// The conflict's competing writes as planned (``ConflictCase/version``).
    public let version: String
    /// When its latest competing write was made.
    public let arisenMillis: Int64
    /// The value that will be written.
    public let value: FieldValue
    /// The value shown now and the value written, as the desk shows them (sealed ones masked).
    public let shown: String
    public let chosen: String
    /// How many values compete.
    public let competing: Int

    public var id: String { "\(record.value)/\(field)" }

    /// The row's line in the plan's digest: record, field, version and the chosen value, each
    /// with its length, so no two rows read alike. A sealed value enters by its keyed hash.
    var canonical: String {
        let value: String =
            switch value {
            case .null: "n"
            case .text(let text): "t" + text
            case .integer(let number): "i\(number)"
            case .set(let members): "s" + members.map { "\($0.utf8.count):\($0)" }.joined()
            case .sealed(let sealed): "h" + sealed.digest
            }
        return [record.value, field, version, value].map { "\($0.utf8.count):\($0)" }.joined()
    }

    /// A short fingerprint of the row (its canonical line's SHA-256, 12 hex digits): the desk
    /// carries one per row in its form, to say which rows changed when a plan went stale.
    public var fingerprint: String {
        Hex.encode(SHA256.hash(data: Data(canonical.utf8)).prefix(6))
    }
}

/// A conflict the filters match that the choice cannot settle (the county wrote no single
/// value): left open, and listed so the preview says so.
public struct BulkSkip: Sendable, Hashable {
    public let record: RecordID
    public let field: String
    public let reason: String

    public var id: String { "\(record.value)/\(field)" }
}

/// What a bulk resolution will write: each conflict's record, field, version and chosen value,
/// oldest first, at most ``limit``; the conflicts it leaves open; and a digest of the rows.
///
/// Why a digest: the preview is a page, the apply a later request. The apply plans again inside
/// its writing transaction and writes only when that plan's digest equals the one the preview
/// showed, so what is applied is exactly what was previewed, whatever synced in between.
public struct BulkPlan: Sendable {
    /// Most conflicts one bulk resolution settles: a preview a person can read, a form of a
    /// bounded size, one transaction of bounded length.
    public static let limit = 200

    public let choice: BulkChoice
    public let rows: [BulkRow]
    public let skipped: [BulkSkip]
    /// Conflicts that match beyond ``limit``, left for the next bulk resolution.
    public let more: Int

    /// SHA-256 (hex) of the rows' canonical lines in the order of their ids, with the choice.
    public var digest: String {
        let lines = ["choice:\(choice.rawValue)"] + rows.sorted { $0.id < $1.id }.map(\.canonical)
        return Hex.encode(SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)))
    }
}

/// What a bulk resolution wrote: one op per conflict, in the plan's order.
public struct BulkOutcome: Sendable {
    public let plan: BulkPlan
    public let ops: [Op]
}

extension HubLedger {
    /// The plan of a bulk resolution as it stands now: what ``bulkResolve(_:choice:digest:note:author:nowMillis:audit:)``
    /// would write. Reads the records in conflict once each, as the conflict list does.
    public func bulkPlan(_ filter: BulkFilter, choice: BulkChoice, nowMillis: Int64) async throws(ReplicaError)
        -> BulkPlan
    {
        try await reading { replica in
            try Self.plan(
                conflicted: try replica.conflictedFields(), filter: filter, choice: choice, nowMillis: nowMillis,
                state: { id in try replica.state(of: id) },
                display: { value, spec in replica.display(value, spec: spec, reveal: false) })
        }
    }

    /// Settles every conflict of the plan in one transaction, when the plan made inside that
    /// transaction has the digest the preview showed; otherwise writes nothing and throws
    /// ``ReplicaError/invalid(_:)`` on the field `digest`. Each conflict gets its op and its
    /// decision, as ``resolve(_:choice:note:author:nowMillis:guarded:)`` writes them; `audit`
    /// (the desk's line) is written in the same transaction.
    public func bulkResolve(
        _ filter: BulkFilter, choice: BulkChoice, digest: String, note: String, author: String, nowMillis: Int64,
        audit: AuditEvent? = nil
    ) async throws(ReplicaError) -> BulkOutcome {
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw .invalid(InputError(field: "note", "desk.note_each"))
        }
        let keys = keys
        let (plan, ops) = try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            let plan = try Self.plan(
                conflicted: try edit.conflictedFields(), filter: filter, choice: choice, nowMillis: nowMillis,
                state: { id in try edit.state(of: id) },
                display: { value, spec in keys.display(value, spec: spec, reveal: false) })
            guard plan.digest == digest else {
                throw InputError(field: "digest", "desk.bulk_changed")
            }
            guard !plan.rows.isEmpty else {
                throw InputError(field: "digest", "desk.bulk_none")
            }
            if let audit { try edit.audit(audit) }
            for row in plan.rows {
                // Every planned conflict is open (hard): its settlement is a resolution.
                try Self.writeSettlement(
                    edit, record: row.record, field: row.field,
                    fields: Self.settledFields(record: row.record, field: row.field, value: row.value), open: true,
                    ruleID: row.ruleID, choice: "bulk \(choice.rawValue)", note: trimmed)
            }
            return plan
        }
        return BulkOutcome(plan: plan, ops: ops)
    }

    /// The plan over the fields in conflict (`record/field`), with the records read by `state`.
    static func plan(
        conflicted: [String], filter: BulkFilter, choice: BulkChoice, nowMillis: Int64,
        state: (RecordID) throws -> RecordState?, display: (FieldValue, FieldSpec) -> String
    ) throws -> BulkPlan {
        var rows: [BulkRow] = []
        var skipped: [BulkSkip] = []
        var cache: [RecordID: RecordState] = [:]
        for text in conflicted {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = RecordID(parts[0]), let spec = RecordSchema.field(parts[1], of: id.type)
            else { continue }
            let field = parts[1]
            if let kind = filter.kind, kind != field, kind != id.type.rawValue { continue }
            let rule = ConflictRules.rule(for: id.type, field: field)
            if let wanted = filter.rule, rule.id != wanted { continue }
            let record: RecordState
            if let known = cache[id] {
                record = known
            } else {
                guard let read = try state(id) else { continue }
                cache[id] = read
                record = read
            }
            let village = record.resolution(of: "village").value.textValue
            if let place = filter.place, !(village ?? "").hasPrefix(place) { continue }
            let resolution = record.resolution(of: field)
            guard resolution.inConflict, resolution.candidates.count > 1 else { continue }
            let arisen = resolution.candidates.map(\.hlc.millis).max() ?? 0
            guard nowMillis - arisen >= filter.olderThanMillis else { continue }
            let value: FieldValue
            switch choice {
            case .newest:
                value = resolution.candidates.max { ($0.hlc.millis, $0.dot) < ($1.hlc.millis, $1.dot) }!.value
            case .county:
                let county = resolution.candidates.filter { $0.rank == .county }
                guard let first = county.first, county.allSatisfy({ $0.value.sameMeaning(as: first.value) }) else {
                    skipped.append(
                        BulkSkip(record: id, field: field, reason: Catalogue.text("desk.no_county_value")))
                    continue
                }
                value = first.value
            }
            rows.append(
                BulkRow(
                    record: id, field: field, village: village, ruleID: rule.id,
                    version: ConflictCase.version(of: resolution.candidates.map(\.dot)), arisenMillis: arisen,
                    value: value, shown: display(resolution.value, spec), chosen: display(value, spec),
                    competing: resolution.candidates.count))
        }
        rows.sort { ($0.arisenMillis, $0.id) < ($1.arisenMillis, $1.id) }
        let more = max(0, rows.count - BulkPlan.limit)
        return BulkPlan(
            choice: choice, rows: Array(rows.prefix(BulkPlan.limit)), skipped: skipped.sorted { $0.id < $1.id },
            more: more)
    }
}
