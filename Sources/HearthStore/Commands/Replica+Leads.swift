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

extension ReplicaReading {
    /// The leads this replica holds, optionally only those of one status, by village and id.
    package func leads(status: String? = nil) throws(ReplicaError) -> [LeadEntry] {
        try withStatements { sql in
            var query = LeadEntry.select
            var arguments: [SQLValue] = []
            if let status {
                query +=
                    status == "conflict"
                    ? " WHERE l.conflicts IS NOT NULL" : " WHERE l.status = ? AND l.conflicts IS NULL"
                if status != "conflict" { arguments = [.text(status)] }
            }
            return try sql.rows(query + " ORDER BY l.village, l.id", arguments).compactMap(LeadEntry.init(row:))
        }
    }

    /// One page of the leads of a status (all when nil), by village and id, read by index (hub
    /// v8's `leads_by_state`), and how many there are in all: the desk's page reads what it shows.
    package func leads(status: String?, limit: Int, offset: Int) throws(ReplicaError)
        -> (entries: [LeadEntry], total: Int)
    {
        try withStatements { sql in
            var filter = ""
            var arguments: [SQLValue] = []
            if let status {
                if status == "conflict" {
                    filter = " WHERE l.conflicts IS NOT NULL"
                } else {
                    filter = " WHERE coalesce(l.status, 'open') = ? AND l.conflicts IS NULL"
                    arguments = [.text(status)]
                }
            }
            let total = Int(try sql.integer("SELECT count(*) FROM leads l" + filter, arguments) ?? 0)
            let rows = try sql.rows(
                LeadEntry.select + filter + " ORDER BY coalesce(l.status, 'open'), l.village, l.id LIMIT ? OFFSET ?",
                arguments + [.integer(Int64(max(0, limit))), .integer(Int64(max(0, offset)))])
            return (rows.compactMap(LeadEntry.init(row:)), total)
        }
    }
}

extension LeadEntry {
    /// The columns a lead is read from, in the order ``init(row:)`` takes them.
    static let select = """
        SELECT l.id, l.member, m.name, l.village, l.source, l.detail, l.reported_date, l.status, l.note,
               l.verifier, l.suspended, l.conflicts
        FROM leads l LEFT JOIN members m ON m.id = l.member
        """

    /// A lead's row as people read it.
    init?(row: [SQLValue]) {
        guard let id = row[0].text.flatMap(RecordID.init) else { return nil }
        let conflicts = row[11].text
        self.init(
            id: id, member: row[1].text.flatMap(RecordID.init), name: row[2].text, village: row[3].text ?? "",
            source: row[4].text ?? "", detail: row[5].text ?? "", reportedDate: row[6].text,
            status: conflicts?.contains("status") == true ? "in conflict" : (row[7].text ?? "open"),
            note: row[8].text, verifier: row[9].text,
            suspended: (row[10].text ?? "").split(separator: ",").compactMap { RecordID(String($0)) })
    }
}

extension ReplicaWriting {
    /// Confirms (属实) or refutes (不属实) a lead after verification. Confirming a death lead
    /// records the death (every enrollment of the person then ends, R1), on the date the list
    /// gave unless `date` says otherwise; refuting it resumes the enrollments the lead
    /// suspended that are still suspended. Either way the note says how it was verified.
    package func decideLead(
        _ id: String, confirm: Bool, note: String, date: String?, author: String, nowMillis: Int64
    ) throws(ReplicaError) -> [RecordID] {
        try write(author: author, nowMillis: nowMillis) { changes in
            try changes.decideLead(id, confirm: confirm, note: note, date: date)
        }.result
    }
}

extension ChangeSet {
    /// Confirms or refutes a lead in this command's changes: what
    /// ``ReplicaCore/decideLead(_:confirm:note:date:author:nowMillis:)`` writes, and what the
    /// hub's desk writes in its storage's transaction. Returns the enrollments it ended or resumed.
    package mutating func decideLead(_ id: String, confirm: Bool, note: String, date: String?) throws -> [RecordID] {
        let lead = try Checks.recordID(id, field: "lead", type: .lead)
        let leadState = try existing(lead, field: "lead")
        let status = ChangeSet.text(leadState, "status") ?? "open"
        try refuseIfInConflict(leadState, ["status": .null])
        guard status == "open" else {
            throw InputError(
                field: "lead", "lead.already_decided", ["id": "\(lead)", "status": Checks.statusWord(status)])
        }
        let verified = try Checks.text(note, field: "note", maxLength: 500)
        try update(
            lead,
            fields: [
                "status": .text(confirm ? "confirmed" : "refuted"), "note": .text(verified),
                "verifier": .text(author),
            ],
            cause: "lead \(confirm ? "confirmed" : "refuted") by \(author)")
        guard ChangeSet.text(leadState, "source") == "death",
            let member = ChangeSet.text(leadState, "member").flatMap(RecordID.init)
        else { return [] }
        if confirm {
            guard let day = date ?? ChangeSet.text(leadState, "reported_date") else {
                throw InputError(field: "date", "lead.no_death_date")
            }
            let memberState = try existing(member, field: "member")
            guard ChangeSet.text(memberState, "vital_status") != "deceased" else { return [] }
            return try recordDeath(of: member, date: day)
        }
        var resumed: [RecordID] = []
        let suspended = leadState.resolution(of: "suspended").value
        guard case .set(let members) = suspended else { return [] }
        for text in members {
            guard let enrollment = RecordID(text), let current = try self.state(of: enrollment),
                ChangeSet.text(current, "status") == "suspended"
            else { continue }
            try refuseIfInConflict(current, ["status": .null])
            try update(
                enrollment, fields: ["status": .text("approved"), "suspended_from": .null],
                cause: "death report refuted (lead \(lead)): payments resume")
            resumed.append(enrollment)
        }
        return resumed
    }
}
