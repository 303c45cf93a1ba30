import HearthCore

/// One of a member's enrollments or leads, as a clerk tells them apart: the program (or the
/// list a lead came from) and its status.
public struct PersonRecord: Sendable, Equatable {
    public let id: RecordID
    /// The enrollment's program, or the lead's source.
    public let kind: String?
    /// The enrollment's status (applied, approved, suspended, exited) or the lead's (open, confirmed, refuted).
    public let status: String?
}

extension ReplicaReading {
    /// A member's enrollments, in id order (by the `enrollments_by_member` index): what a
    /// command that takes an enrollment may mean when it is given the person.
    package func enrollments(ofMember member: RecordID) throws(ReplicaError) -> [PersonRecord] {
        try withStatements { sql in
            try sql.rows(
                "SELECT id, program, status FROM enrollments WHERE member = ? ORDER BY id", [.text(member.value)]
            )
            .compactMap(PersonRecord.init(row:))
        }
    }

    /// The leads about a member, in id order (by the `leads_by_member` index).
    package func leads(aboutMember member: RecordID) throws(ReplicaError) -> [PersonRecord] {
        try withStatements { sql in
            try sql.rows("SELECT id, source, status FROM leads WHERE member = ? ORDER BY id", [.text(member.value)])
                .compactMap(PersonRecord.init(row:))
        }
    }
}

extension PersonRecord {
    /// A row of id, kind and status; nil when the id does not parse.
    init?(row: [SQLValue]) {
        guard let id = row[0].text.flatMap(RecordID.init) else { return nil }
        self.init(id: id, kind: row[1].text, status: row[2].text)
    }
}
