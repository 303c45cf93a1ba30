import HearthCore
import HearthStore

/// What a roster import will do: the households, members and enrollments its good rows
/// create (or find already imported), and the bad rows with their problems.
struct RosterPlan {
    struct Household {
        let key: String
        let village: DivisionCode
        let number: String
        let line: Int
        /// The household an earlier import created, when there was one.
        let existing: RecordID?
        /// The head the hub holds for an existing household.
        let existingHead: String?
        var address: String?
        var type: String?
        var phone: Phone?
        var bankCard: BankCard?
    }

    struct Member {
        let key: String
        let householdKey: String
        let line: Int
        /// The member an earlier import created, when there was one.
        let existing: RecordID?
        /// True when the member was found by its ID number under another key (imported
        /// without one, the number added since): the key is recorded now.
        let recordKey: Bool
        let name: String
        let idNumber: IDNumber?
        let relation: String
        let grade: Int?
    }

    struct Enrollment {
        let key: String
        let memberKey: String
        let line: Int
        let program: Program
        let amount: Money
        let start: Month
        /// The row's override reason, when the enrollment needed one (R6).
        let override: String?
    }

    var rows = 0
    /// The lines of 合计, 小计 and 总计 rows, left out.
    var totalRows: [Int] = []
    /// The lines whose 区划代码 or 户号 was blank and taken from the row above.
    var filledDown: [Int] = []
    var households: [Household] = []
    var members: [Member] = []
    var enrollments: [Enrollment] = []
    /// Good rows that create nothing: everything they say was imported before.
    var rowsAlreadyImported = 0
    /// Every problem, in line order.
    var problems: [ImportProblem] = []
    /// The bad rows, each with its problems in one sentence.
    var skipped: [SkippedRow] = []

    var newHouseholds: Int { households.filter { $0.existing == nil }.count }
    var newMembers: [Member] { members.filter { $0.existing == nil } }
}
