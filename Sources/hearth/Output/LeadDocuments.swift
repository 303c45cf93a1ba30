import HearthLedger
import HearthStore

/// A problem lead (问题线索) as `lead list --json` and `hub leads --json` print it: what the
/// cross-check list said and how the township's verification went.
struct LeadDocument: Codable, Sendable, Equatable {
    let id: String
    @Nullable var member: String?
    @Nullable var name: String?
    let village: String
    let source: String
    let detail: String
    @Nullable var reportedDate: String?
    /// open, confirmed, refuted or in conflict.
    let status: String
    @Nullable var note: String?
    @Nullable var verifier: String?
    /// The enrollments the lead suspended pending verification.
    let suspended: [String]

    enum CodingKeys: String, CodingKey {
        case id, member, name, village, source, detail
        case reportedDate = "reported_date"
        case status, note, verifier, suspended
    }

    init(_ lead: LeadEntry) {
        id = lead.id.value
        member = lead.member?.value
        name = lead.name
        village = lead.village
        source = lead.source
        detail = lead.detail
        reportedDate = lead.reportedDate
        status = lead.status
        note = lead.note
        verifier = lead.verifier
        suspended = lead.suspended.map(\.value)
    }
}

/// `hub recovery --json`: money the locked rolls paid for months after a person's death (追缴).
struct RecoveryDocument: Codable, Sendable, Equatable {
    struct Line: Codable, Sendable, Equatable {
        let member: String
        let name: String
        let village: String
        let deathDate: String
        /// The confirmed death lead, when a cross-check reported the death.
        @Nullable var lead: String?
        /// The months paid after the death, YYYY-MM.
        let months: [String]
        let amountYuan: String

        enum CodingKeys: String, CodingKey {
            case member, name, village
            case deathDate = "death_date"
            case lead, months
            case amountYuan = "amount_yuan"
        }

        init(_ line: RecoveryLine) {
            member = line.member.value
            name = line.name
            village = line.village
            deathDate = line.deathDate.description
            lead = line.lead?.value
            months = line.months.map(\.description)
            amountYuan = line.amount.yuanText
        }
    }

    let totalYuan: String
    let lines: [Line]

    enum CodingKeys: String, CodingKey {
        case totalYuan = "total_yuan"
        case lines
    }
}
