import GRDB
import HearthCore

/// A situation a cross-record rule flags for a person: derived from the merged state each
/// time it is asked for, so every hub (and a restarted one) sees the same cases, and a case
/// closes by itself when the state no longer shows it.
public struct RuleCase: Sendable {
    /// `<rule>:<key>`, e.g. `R6:M-3f9a2c71b0d4-2`.
    public let id: String
    public let rule: String
    public let kind: String
    public let village: String?
    public let records: [RecordID]
    public let detail: String
    /// Enrollments whose payments are held while the case is open.
    public let holds: [RecordID]
}

extension Replica {
    /// Every open rule case, minus those an administrator acknowledged (as they were then).
    public func ruleCases(nowMillis: Int64, waitLimitMillis: Int64 = 7 * 86_400_000) throws(ReplicaError) -> [RuleCase]
    {
        let today = DomainCalendar.date(atMillis: nowMillis)
        let cases: [RuleCase] = try read { db in
            var cases: [RuleCase] = []
            // R5: one person, one record — the same ID number on two live members.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.id_number_hash AS hash, group_concat(m.id, ',') AS ids, min(m.village) AS village
                    FROM members m LEFT JOIN households h ON h.id = m.household
                    WHERE m.id_number_hash IS NOT NULL AND m.vital_status = 'alive' AND coalesce(h.status, 'active') = 'active'
                    GROUP BY m.id_number_hash HAVING count(*) > 1
                    """)
            {
                let ids = (row["ids"] as String).split(separator: ",").compactMap { RecordID(String($0)) }.sorted()
                // The later record is the greater id by creation (HLC order of its creating op).
                let later = Array(ids.dropFirst())
                let held = try String.fetchAll(
                    db,
                    sql:
                        "SELECT id FROM enrollments WHERE member IN (\(later.map { _ in "?" }.joined(separator: ","))) AND status != 'exited'",
                    arguments: StatementArguments(later.map(\.value))
                ).compactMap(RecordID.init)
                cases.append(
                    RuleCase(
                        id: "R5:\(ids[0])", rule: "R5", kind: "duplicate-person", village: row["village"], records: ids,
                        detail:
                            "the same ID number is registered to \(ids.map(\.value).joined(separator: " and ")); the later record's enrollments are held",
                        holds: held))
            }
            // R6: dibao and tekun exclude each other for one person.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT d.member AS member, group_concat(d.id, ',') AS ids, min(d.village) AS village
                    FROM enrollments d JOIN enrollments t ON t.member = d.member
                    WHERE d.program IN ('dibao_urban', 'dibao_rural') AND t.program IN ('tekun_dispersed', 'tekun_centralized')
                      AND d.status != 'exited' AND t.status != 'exited'
                    GROUP BY d.member
                    """)
            {
                let member = RecordID(row["member"] as String)
                let enrollments = try String.fetchAll(
                    db,
                    sql:
                        "SELECT id FROM enrollments WHERE member = ? AND status != 'exited' AND (program LIKE 'dibao%' OR program LIKE 'tekun%') ORDER BY id",
                    arguments: [row["member"] as String]
                ).compactMap(RecordID.init)
                cases.append(
                    RuleCase(
                        id: "R6:\(member?.value ?? "?")", rule: "R6", kind: "exclusive-programs",
                        village: row["village"],
                        records: (member.map { [$0] } ?? []) + enrollments,
                        detail: "dibao and tekun for the same person exclude each other: exit one", holds: enrollments))
            }
            // R6: prerequisites — disability subsidies need a grade; the old-age allowance needs 80.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id AS enrollment, e.program AS program, e.start_month AS start, e.village AS village,
                           m.id AS member, m.disability_grade AS grade, m.birth_date AS born
                    FROM enrollments e JOIN members m ON m.id = e.member
                    WHERE e.status != 'exited' AND e.program IN ('disability_living', 'disability_care', 'elderly')
                    """)
            {
                guard let enrollment = RecordID(row["enrollment"] as String),
                    let member = RecordID(row["member"] as String)
                else { continue }
                let program: String = row["program"]
                var problem: String?
                if program.hasPrefix("disability"), (row["grade"] as Int64?) == nil {
                    problem = "\(program) needs a disability grade on \(member)"
                }
                if program == "elderly" {
                    let born = (row["born"] as String?).flatMap { try? CivilDate.parse($0, field: "born") }
                    let start = (row["start"] as String?).flatMap { try? Month.parse($0, field: "start") }
                    if let born, let start, born.age(on: start.lastDay) < 80 {
                        problem =
                            "the old-age allowance needs age 80 by the start month; \(member) is \(born.age(on: start.lastDay))"
                    } else if born == nil {
                        problem = "the old-age allowance needs a birth date on \(member)"
                    }
                }
                if let problem {
                    cases.append(
                        RuleCase(
                            id: "R6:\(enrollment)", rule: "R6", kind: "prerequisite", village: row["village"],
                            records: [enrollment, member], detail: problem, holds: [enrollment]))
                }
            }
            // A household left without a living member, or without a head.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT h.id AS household, h.village AS village, h.head AS head,
                           (SELECT count(*) FROM members m WHERE m.household = h.id AND m.vital_status = 'alive') AS living,
                           (SELECT vital_status FROM members m WHERE m.id = h.head) AS head_status
                    FROM households h WHERE h.status = 'active'
                    """)
            {
                guard let household = RecordID(row["household"] as String) else { continue }
                let living: Int64 = row["living"]
                // Only a household in the case is asked for its enrollments (once per household
                // of the county was a scan of the enrollments each: quadratic at a county's size).
                if living == 0,
                    (try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM members WHERE household = ?", arguments: [household.value]) ?? 0)
                        > 0
                {
                    let held = try String.fetchAll(
                        db, sql: "SELECT id FROM enrollments WHERE household = ? AND status != 'exited'",
                        arguments: [household.value]
                    ).compactMap(RecordID.init)
                    cases.append(
                        RuleCase(
                            id: "H:\(household)/living", rule: "R8", kind: "no-living-member", village: row["village"],
                            records: [household],
                            detail: "\(household) has no living member: archive it or correct the record",
                            holds: held))
                } else if living > 0, (row["head"] as String?) == nil || (row["head_status"] as String?) == "deceased" {
                    cases.append(
                        RuleCase(
                            id: "H:\(household)/head", rule: "R8", kind: "no-head", village: row["village"],
                            records: [household],
                            detail: "\(household) has no living head: choose one (`household edit --head`)", holds: []))
                }
            }
            // R2a: an exit (not a death) concurrent with an approval: both held for the desk.
            for row in try Row.fetchAll(
                db, sql: "SELECT id, registers FROM record_meta WHERE type = 'enrollment' AND registers LIKE '%exited%'"
            ) {
                guard let id = RecordID(row["id"] as String),
                    let registers = try? JSON.parse(row["registers"] as String),
                    let state = RecordState(id: id, clock: JSON.object([:]), registers: registers)
                else { continue }
                let statuses = state.resolution(of: "status").candidates.map(\.value)
                guard statuses.contains(.text("exited")), statuses.contains(.text("approved")),
                    state.resolution(of: "exit_reason").value != .text("death")
                else { continue }
                cases.append(
                    RuleCase(
                        id: "R2a:\(id)", rule: "R2a", kind: "exit-against-approval",
                        village: state.resolution(of: "village").value.textValue, records: [id],
                        detail: "an exit and an approval were made concurrently: the county decides; payment is held",
                        holds: [id]))
            }
            // R1: a death a cross-check reported and nobody has verified yet (or whose
            // confirmation and refutation clash): every live enrollment of the person is held.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT l.id AS lead, l.member AS member, l.village AS village, l.reported_date AS reported
                    FROM leads l JOIN members m ON m.id = l.member
                    WHERE l.source = 'death' AND m.vital_status = 'alive'
                      AND (l.status = 'open' OR l.conflicts LIKE '%status%')
                    ORDER BY l.id
                    """)
            {
                guard let lead = RecordID(row["lead"] as String), let member = RecordID(row["member"] as String) else {
                    continue
                }
                let held = try String.fetchAll(
                    db, sql: "SELECT id FROM enrollments WHERE member = ? AND status != 'exited' ORDER BY id",
                    arguments: [member.value]
                ).compactMap(RecordID.init)
                let when = (row["reported"] as String?).map { " on \($0)" } ?? ""
                cases.append(
                    RuleCase(
                        id: "R1:\(lead)", rule: "R1", kind: "death-reported", village: row["village"],
                        records: [lead, member],
                        detail: "a death list reports \(member) died\(when) (lead \(lead)): the township verifies it "
                            + "(`hearth lead confirm|refute \(lead)`); payments are held meanwhile",
                        holds: held))
            }
            // R11: an op held too long waiting for the ops it depends on.
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT replica, counter, record, needs, since_millis FROM op_waits WHERE since_millis < ? ORDER BY since_millis",
                arguments: [nowMillis - waitLimitMillis])
            {
                guard let record = RecordID(row["record"] as String) else { continue }
                cases.append(
                    RuleCase(
                        id: "R11:\(row["replica"] as String):\(row["counter"] as Int64)", rule: "R11",
                        kind: "waiting-too-long",
                        village: nil, records: [record],
                        detail:
                            "op \(row["replica"] as String):\(row["counter"] as Int64) has waited since \(DomainCalendar.date(atMillis: row["since_millis"])) for \(row["needs"] as String)",
                        holds: []))
            }
            return cases
        }
        _ = today
        let acknowledged = try read { db in try role.acknowledgedCases(db) }
        return cases.filter { !acknowledged.contains($0.id) }
    }
}
