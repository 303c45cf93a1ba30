import HearthCore
import HearthStore

/// A member registered without an ID number: kept, pending, never paid until one is added.
public struct RosterFlag: Sendable, Hashable {
    /// The first file line of the member.
    public let line: Int
    public let name: String
    /// The member created (nil in a dry run).
    public let member: RecordID?
}

/// What a roster import did, or (in a dry run, or when refused) would do.
public struct RosterImportReport: Sendable {
    public let file: String
    public let encoding: SpreadsheetEncoding
    /// Data rows read (blank rows left out).
    public let rows: Int
    public let dryRun: Bool
    /// True when bad rows stopped the import (no `--skip-invalid`): nothing changed, and the
    /// counts below are zero.
    public let refused: Bool
    public let householdsCreated: Int
    public let membersCreated: Int
    public let enrollmentsCreated: Int
    /// Good rows that created nothing: an earlier import holds everything they say.
    public let rowsAlreadyImported: Int
    /// Members created without an ID number.
    public let withoutIDNumber: [RosterFlag]
    /// Every problem of every bad row, in line order.
    public let problems: [ImportProblem]
    /// Bad rows left out (with `--skip-invalid`).
    public let rowsSkipped: Int
    /// The lines of the 合计, 小计 and 总计 rows, which are never imported.
    public let totalRows: [Int]
    /// The lines whose blank 区划代码 or 户号 (a merged cell) was taken from the row above.
    public let filledDown: [Int]
    /// Where the skipped rows were written, when they were.
    public let skippedFile: String?
    /// The records created, in the order they were created (households, members, enrollments).
    public let created: [RecordID]

    /// Households, members and enrollments created.
    public var recordsCreated: Int { householdsCreated + membersCreated + enrollmentsCreated }

    /// The file lines of the bad rows.
    public var badLines: [Int] { Array(Set(problems.map(\.line))).sorted() }

    init(
        table: SpreadsheetTable, plan: RosterPlan, dryRun: Bool, refused: Bool, skipInvalid: Bool,
        created: [RecordID] = [], flagged: [RosterFlag]? = nil, skippedFile: String? = nil
    ) {
        file = table.file
        encoding = table.encoding
        rows = plan.rows
        self.dryRun = dryRun
        self.refused = refused
        householdsCreated = refused ? 0 : plan.newHouseholds
        membersCreated = refused ? 0 : plan.newMembers.count
        enrollmentsCreated = refused ? 0 : plan.enrollments.count
        rowsAlreadyImported = refused ? 0 : plan.rowsAlreadyImported
        withoutIDNumber =
            refused
            ? []
            : flagged
                ?? plan.newMembers.filter { $0.idNumber == nil }.map {
                    RosterFlag(line: $0.line, name: $0.name, member: nil)
                }
        problems = plan.problems
        rowsSkipped = skipInvalid ? plan.skipped.count : 0
        totalRows = plan.totalRows
        filledDown = plan.filledDown
        self.skippedFile = skippedFile
        self.created = created
    }
}
