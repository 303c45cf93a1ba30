import GRDB
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

extension ReplicaCore {
    /// A member's enrollments, in id order (by the `enrollments_by_member` index): what a
    /// command that takes an enrollment may mean when it is given the person.
    public func enrollments(ofMember member: RecordID) throws(ReplicaError) -> [PersonRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, program, status FROM enrollments WHERE member = ? ORDER BY id",
                arguments: [member.value]
            ).compactMap { row in RecordID(row[0]).map { PersonRecord(id: $0, kind: row[1], status: row[2]) } }
        }
    }

    /// The leads about a member, in id order (by the `leads_by_member` index).
    public func leads(aboutMember member: RecordID) throws(ReplicaError) -> [PersonRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, source, status FROM leads WHERE member = ? ORDER BY id", arguments: [member.value]
            ).compactMap { row in RecordID(row[0]).map { PersonRecord(id: $0, kind: row[1], status: row[2]) } }
        }
    }
}
