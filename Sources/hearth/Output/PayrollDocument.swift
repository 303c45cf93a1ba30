/// `hub payroll --json`: the month's roll as written for the bank, with what was kept apart and
/// what was left out (amounts in yuan; recovery negative).
struct PayrollDocument: Codable, Sendable, Equatable {
    /// The four files written beside each other.
    struct Files: Codable, Sendable, Equatable {
        let disbursement: String
        let noCard: String
        let recovery: String
        let summary: String

        enum CodingKeys: String, CodingKey {
            case disbursement
            case noCard = "no_card"
            case recovery, summary
        }
    }

    let month: String
    let county: String
    /// `--out` as given.
    let file: String
    let files: Files
    /// Roll rows: one per enrollment and kind (regular, back pay, recovery).
    let rows: Int64
    let totalYuan: String
    /// Lines given to the bank.
    let lines: Int64
    let disbursementYuan: String
    let regularYuan: String
    let backPayYuan: String
    let linesWithoutCard: Int64
    let withoutCardYuan: String
    let recoveryLines: Int64
    let recoveryYuan: String
    /// Back pay and recovery rows for earlier months.
    let adjustments: Int64
    let locked: Bool
    /// Why enrollments were left out, to how many.
    let leftOut: [String: Int64]

    enum CodingKeys: String, CodingKey {
        case month, county, file, files, rows
        case totalYuan = "total_yuan"
        case lines
        case disbursementYuan = "disbursement_yuan"
        case regularYuan = "regular_yuan"
        case backPayYuan = "back_pay_yuan"
        case linesWithoutCard = "lines_without_card"
        case withoutCardYuan = "without_card_yuan"
        case recoveryLines = "recovery_lines"
        case recoveryYuan = "recovery_yuan"
        case adjustments, locked
        case leftOut = "left_out"
    }
}
