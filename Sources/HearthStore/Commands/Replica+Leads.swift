import GRDB
import HearthCore

/// A problem lead (问题线索) as people read it.
public struct LeadEntry: Sendable {
    public let id: RecordID
    public let member: RecordID?
    public let name: String?
    public let village: String
    public let source: String
    public let detail: String
    public let reportedDate: String?
    /// open, confirmed or refuted; "in conflict" when a confirmation and a refutation clash.
    public let status: String
    public let note: String?
    public let verifier: String?
    public let suspended: [RecordID]
}

extension ReplicaCore {
    /// The leads this replica holds, optionally only those of one status, by village and id.
    public func leads(status: String? = nil) throws(ReplicaError) -> [LeadEntry] {
        try read { db in
            var sql = """
                SELECT l.*, m.name AS name FROM leads l LEFT JOIN members m ON m.id = l.member
                """
            var arguments: StatementArguments = []
            if let status {
                sql +=
                    status == "conflict"
                    ? " WHERE l.conflicts IS NOT NULL" : " WHERE l.status = ? AND l.conflicts IS NULL"
                if status != "conflict" { arguments = [status] }
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY l.village, l.id", arguments: arguments).compactMap(
                Self.leadEntry)
        }
    }

    /// One page of the leads of a status (all when nil), by village and id, read by index (hub
    /// v8's `leads_by_state`), and how many there are in all: the desk's page reads what it shows.
    public func leads(status: String?, limit: Int, offset: Int) throws(ReplicaError)
        -> (entries: [LeadEntry], total: Int)
    {
        try read { db in
            var filter = ""
            var arguments: StatementArguments = []
            if let status {
                if status == "conflict" {
                    filter = " WHERE l.conflicts IS NOT NULL"
                } else {
                    filter = " WHERE coalesce(l.status, 'open') = ? AND l.conflicts IS NULL"
                    arguments = [status]
                }
            }
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM leads l" + filter, arguments: arguments) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT l.*, m.name AS name FROM leads l LEFT JOIN members m ON m.id = l.member\(filter)
                    ORDER BY coalesce(l.status, 'open'), l.village, l.id LIMIT ? OFFSET ?
                    """,
                arguments: arguments + [max(0, limit), max(0, offset)])
            return (rows.compactMap(Self.leadEntry), total)
        }
    }

    /// A lead's row as people read it.
    private static func leadEntry(_ row: Row) -> LeadEntry? {
        guard let id = RecordID(row["id"] as String) else { return nil }
        let conflicts: String? = row["conflicts"]
        return LeadEntry(
            id: id, member: (row["member"] as String?).flatMap(RecordID.init), name: row["name"],
            village: row["village"] ?? "", source: row["source"] ?? "", detail: row["detail"] ?? "",
            reportedDate: row["reported_date"],
            status: conflicts?.contains("status") == true ? "in conflict" : (row["status"] ?? "open"),
            note: row["note"], verifier: row["verifier"],
            suspended: ((row["suspended"] as String?) ?? "").split(separator: ",").compactMap {
                RecordID(String($0))
            })
    }

    /// Confirms (属实) or refutes (不属实) a lead after verification. Confirming a death lead
    /// records the death (every enrollment of the person then ends, R1), on the date the list
    /// gave unless `date` says otherwise; refuting it resumes the enrollments the lead
    /// suspended that are still suspended. Either way the note says how it was verified.
    public func decideLead(
        _ id: String, confirm: Bool, note: String, date: String?, author: String, nowMillis: Int64
    ) throws(ReplicaError) -> [RecordID] {
        try write(author: author, nowMillis: nowMillis) { changes in
            let lead = try Checks.recordID(id, field: "lead", type: .lead)
            let state = try changes.existing(lead, field: "lead")
            let status = ChangeSet.text(state, "status") ?? "open"
            try changes.refuseIfInConflict(state, ["status": .null])
            guard status == "open" else {
                throw InputError(
                    field: "lead", "lead.already_decided", ["id": "\(lead)", "status": Checks.statusWord(status)])
            }
            let verified = try Checks.text(note, field: "note", maxLength: 500)
            try changes.update(
                lead,
                fields: [
                    "status": .text(confirm ? "confirmed" : "refuted"), "note": .text(verified),
                    "verifier": .text(changes.author),
                ],
                cause: "lead \(confirm ? "confirmed" : "refuted") by \(changes.author)")
            guard ChangeSet.text(state, "source") == "death",
                let member = ChangeSet.text(state, "member").flatMap(RecordID.init)
            else { return [] }
            if confirm {
                guard let day = date ?? ChangeSet.text(state, "reported_date") else {
                    throw InputError(field: "date", "lead.no_death_date")
                }
                let memberState = try changes.existing(member, field: "member")
                guard ChangeSet.text(memberState, "vital_status") != "deceased" else { return [] }
                return try changes.recordDeath(of: member, date: day)
            }
            var resumed: [RecordID] = []
            let suspended = state.resolution(of: "suspended").value
            guard case .set(let members) = suspended else { return [] }
            for text in members {
                guard let enrollment = RecordID(text), let current = try changes.state(of: enrollment),
                    ChangeSet.text(current, "status") == "suspended"
                else { continue }
                try changes.refuseIfInConflict(current, ["status": .null])
                try changes.update(
                    enrollment, fields: ["status": .text("approved"), "suspended_from": .null],
                    cause: "death report refuted (lead \(lead)): payments resume")
                resumed.append(enrollment)
            }
            return resumed
        }.result
    }
}
