import Foundation
import HearthCore
import Testing

@testable import HearthStore

/// The marked subjects' candidate queries asked many to a statement
/// (``RuleCaseBook/candidates(among:_:lookup:)``) admit what each asked alone admits.
@Suite("Rule case candidates, many to a statement")
struct RuleCaseCandidatesTests {
    @Test(
        "Every subject of a generated county's hub, and some it does not hold, admitted as one at a time admits them",
        arguments: [UInt64(3), 11])
    func sameAsOneAtATime(seed: UInt64) async throws {
        try await QueryPlanTests.withGeneratedHub(scale: 0.02, seed: seed) { _, hub, _ in
            let core = try hub.replica
            try await core.writeAsync { db in
                let sql = SQLiteStatements(db)
                // Candidates of the kinds a small county may lack: an ID number on four living
                // members (R5), households whose head is gone (R8).
                try sql.execute(
                    """
                    UPDATE members SET id_number_hash = (
                        SELECT id_number_hash FROM members WHERE id_number_hash IS NOT NULL AND vital_status = 'alive'
                        ORDER BY id LIMIT 1)
                    WHERE id IN (
                        SELECT id FROM members WHERE id_number_hash IS NOT NULL AND vital_status = 'alive'
                        ORDER BY id LIMIT 3 OFFSET 5)
                    """, [])
                try sql.execute(
                    """
                    UPDATE households SET head = NULL
                    WHERE id IN (SELECT household FROM members WHERE household IS NOT NULL ORDER BY id LIMIT 2)
                    """, [])
                var subjects = try sql.texts("SELECT DISTINCT id_number_hash FROM members").map(CaseSubject.idHash)
                let kinds: [(String, (RecordID) -> CaseSubject)] = [
                    ("members", CaseSubject.member), ("enrollments", CaseSubject.enrollment),
                    ("households", CaseSubject.household), ("leads", CaseSubject.lead),
                ]
                for (table, subject) in kinds {
                    subjects += try sql.texts("SELECT id FROM \(table)").compactMap(RecordID.init).map(subject)
                }
                // Subjects a mark may name that the hub does not hold.
                let stranger = ReplicaID("0123456789ab")
                subjects += [
                    .idHash(String(repeating: "e", count: 64)),
                    .member(RecordID(type: .member, creator: Dot(replica: stranger, counter: 1))),
                    .enrollment(RecordID(type: .enrollment, creator: Dot(replica: stranger, counter: 2))),
                    .household(RecordID(type: .household, creator: Dot(replica: stranger, counter: 3))),
                    .lead(RecordID(type: .lead, creator: Dot(replica: stranger, counter: 4))),
                ]
                var lookup = DatabaseRuleLookup(sql)
                let expected = Set(
                    try subjects.filter { try RuleCaseBook.isCandidate($0, sql, lookup: &lookup) })
                let found = try RuleCaseBook.candidates(among: subjects.shuffled(), sql, lookup: &lookup)
                #expect(found == expected)
                #expect(subjects.count > 1_000)
                // Each kind the county holds candidates of, admitted as such.
                #expect(expected.contains { if case .idHash = $0 { true } else { false } })
                #expect(expected.contains { if case .household = $0 { true } else { false } })
                #expect(expected.contains { if case .enrollment = $0 { true } else { false } })
                return ()
            }
        }
    }
}
