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

    public init(
        member: RecordID, name: String, village: String, deathDate: CivilDate, lead: RecordID?, months: [Month],
        amount: Money
    ) {
        self.member = member
        self.name = name
        self.village = village
        self.deathDate = deathDate
        self.lead = lead
        self.months = months
        self.amount = amount
    }
}

extension HubLedger {
    /// Money paid for months after the last one a death leaves paid (the county's death-month
    /// rule: through the month of death, or before it): every deceased member with a date of
    /// death whose locked rolls (what was actually paid, net of recoveries already made) carry
    /// such months. What is owed back (追缴) once the death is confirmed; the next roll carries
    /// the same months as recovery lines.
    public func recoveryReport() async throws(ReplicaError) -> [RecoveryLine] {
        try await storage.paidAfterDeath()
    }
}
