import HearthLedger

/// A bad row of an imported file: its line, the column and why (never an ID or card number).
struct BadRow: Codable, Sendable, Equatable {
    let line: Int64
    let field: String
    let reason: String

    init(_ problem: ImportProblem) {
        line = Int64(problem.line)
        field = problem.field
        reason = problem.reason
    }
}

/// `hub import-roster --json`: what the roster created (or would, with `--dry-run`), what it
/// flagged, and its bad rows; printed also when the import is refused.
struct RosterImportDocument: Codable, Sendable, Equatable {
    /// A member imported without an ID number: kept, flagged, never paid until one is added.
    struct WithoutIDNumber: Codable, Sendable, Equatable {
        let line: Int64
        let name: String
        /// The member's id; null on a dry run.
        @Nullable var member: String?
    }

    let file: String
    let encoding: String
    let rows: Int64
    let dryRun: Bool
    let refused: Bool
    let imported: Bool
    let householdsCreated: Int64
    let membersCreated: Int64
    let enrollmentsCreated: Int64
    let rowsAlreadyImported: Int64
    let membersWithoutIDNumber: Int64
    let withoutIDNumber: [WithoutIDNumber]
    let rowsSkipped: Int64
    /// The lines of 合计, 小计 and 总计 rows, never imported.
    let totalRowsSkipped: [Int64]
    /// The lines whose blank 区划代码 or 户号 (a merged cell) was taken from the row above.
    let filledFromAbove: [Int64]
    /// Where `--skip-invalid` wrote the bad rows; null when none were written.
    @Nullable var skippedFile: String?
    let badRows: [BadRow]

    enum CodingKeys: String, CodingKey {
        case file, encoding, rows
        case dryRun = "dry_run"
        case refused, imported
        case householdsCreated = "households_created"
        case membersCreated = "members_created"
        case enrollmentsCreated = "enrollments_created"
        case rowsAlreadyImported = "rows_already_imported"
        case membersWithoutIDNumber = "members_without_id_number"
        case withoutIDNumber = "without_id_number"
        case rowsSkipped = "rows_skipped"
        case totalRowsSkipped = "total_rows_skipped"
        case filledFromAbove = "filled_from_above"
        case skippedFile = "skipped_file"
        case badRows = "bad_rows"
    }

    init(_ report: RosterImportReport) {
        file = report.file
        encoding = report.encoding.rawValue
        rows = Int64(report.rows)
        dryRun = report.dryRun
        refused = report.refused
        imported = !report.dryRun && !report.refused
        householdsCreated = Int64(report.householdsCreated)
        membersCreated = Int64(report.membersCreated)
        enrollmentsCreated = Int64(report.enrollmentsCreated)
        rowsAlreadyImported = Int64(report.rowsAlreadyImported)
        membersWithoutIDNumber = Int64(report.withoutIDNumber.count)
        withoutIDNumber = report.withoutIDNumber.map { flag in
            WithoutIDNumber(line: Int64(flag.line), name: flag.name, member: flag.member?.value)
        }
        rowsSkipped = Int64(report.rowsSkipped)
        totalRowsSkipped = report.totalRows.map(Int64.init)
        filledFromAbove = report.filledDown.map(Int64.init)
        skippedFile = report.skippedFile
        badRows = report.problems.map(BadRow.init)
    }
}

/// `hub crosscheck import --json`: how another department's list matched the county's members,
/// the leads it made and the enrollments it suspended.
struct CrosscheckDocument: Codable, Sendable, Equatable {
    /// The file as given on the command line.
    let file: String
    /// death, pension, vehicle or other.
    let source: String
    let rows: Int64
    let dryRun: Bool
    let refused: Bool
    let matched: Int64
    let unmatched: Int64
    let newLeads: Int64
    let leads: [String]
    let alreadyImported: Int64
    let alreadyDeceased: Int64
    let suspended: [String]
    @Nullable var skippedFile: String?
    let badRows: [BadRow]

    enum CodingKeys: String, CodingKey {
        case file, source, rows
        case dryRun = "dry_run"
        case refused, matched, unmatched
        case newLeads = "new_leads"
        case leads
        case alreadyImported = "already_imported"
        case alreadyDeceased = "already_deceased"
        case suspended
        case skippedFile = "skipped_file"
        case badRows = "bad_rows"
    }

    init(
        file: String, source: CrosscheckSource, outcome: CrosscheckOutcome, dryRun: Bool, refused: Bool,
        skippedFile: String?
    ) {
        self.file = file
        self.source = source.rawValue
        rows = Int64(outcome.rows)
        self.dryRun = dryRun
        self.refused = refused
        matched = Int64(outcome.matched)
        unmatched = Int64(outcome.unmatched)
        newLeads = Int64(outcome.newLeads)
        leads = outcome.leads.map(\.value)
        alreadyImported = Int64(outcome.alreadyImported)
        alreadyDeceased = Int64(outcome.alreadyDeceased)
        suspended = outcome.suspended.map(\.value)
        self.skippedFile = skippedFile
        badRows = outcome.problems.map(BadRow.init)
    }
}
