import GRDB
import HearthCore
import HearthStore

/// One deceased person paid for months after their death, for recovery (追缴).
public struct RecoveryLine: Sendable {
    public let member: RecordID
    public let name: String
    public let village: String
    public let deathDate: CivilDate
    /// The death lead that reported the death, when a cross-check did.
    public let lead: RecordID?
    /// The months paid (net of recoveries already on locked rolls) from the month of death on.
    public let months: [Month]
    public let amount: Money
}

extension HubLedger {
    /// Money paid for months after the last one a death leaves paid (the county's death-month
    /// rule: through the month of death, or before it): every deceased member with a date of
    /// death whose locked rolls (what was actually paid, net of recoveries already made) carry
    /// such months. What is owed back (追缴) once the death is confirmed; the next roll carries
    /// the same months as recovery lines.
    public func recoveryReport() throws(ReplicaError) -> [RecoveryLine] {
        try read { db in
            let rules = try Replica.countyRules(db)
            var lines: [RecoveryLine] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, name, village, death_date FROM members
                    WHERE vital_status = 'deceased' AND death_date IS NOT NULL ORDER BY village, id
                    """)
            {
                guard let member = RecordID(row["id"] as String),
                    let died = (row["death_date"] as String?).flatMap({ try? CivilDate.parse($0, field: "death") })
                else { continue }
                var byMonth: [Month: Int64] = [:]
                for paid in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT for_month, sum(amount_fen) AS fen FROM roll_lines WHERE member = ? AND for_month >= ? GROUP BY for_month",
                    arguments: [member.value, rules.lastPaidMonth(death: died).adding(months: 1).description])
                {
                    guard let month = try? Month.parse(paid["for_month"] as String, field: "month") else { continue }
                    byMonth[month] = paid["fen"]
                }
                let owed = byMonth.filter { $0.value > 0 }
                guard !owed.isEmpty else { continue }
                let lead = try String.fetchOne(
                    db,
                    sql:
                        "SELECT id FROM leads WHERE member = ? AND source = 'death' AND status = 'confirmed' ORDER BY id LIMIT 1",
                    arguments: [member.value]
                ).flatMap(RecordID.init)
                lines.append(
                    RecoveryLine(
                        member: member, name: row["name"] ?? "", village: row["village"] ?? "", deathDate: died,
                        lead: lead,
                        months: owed.keys.sorted(),
                        amount: Money(fen: try Totals.sum(owed.values, "the recovery from \(member)"))))
            }
            return lines
        }
    }
}
