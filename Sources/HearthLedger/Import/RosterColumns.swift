import HearthText

/// The columns of a county roster (花名册) as `hearth hub import-roster` reads it: one row
/// per member per program, household columns repeated (or left empty) on each member's row.
///
/// Headers are the Chinese ones the county's spreadsheets use, with English aliases;
/// matching ignores blanks, underscores, case and full-width forms.
public enum RosterColumn: String, CaseIterable, Sendable {
    case village
    case household
    case address
    case type
    case phone
    case bankCard = "bank_card"
    case name
    case idNumber = "id_number"
    case relation
    case disabilityGrade = "disability_grade"
    case program
    case amount
    case start
    /// 特批理由: why an implausible enrollment (R6) is right; empty: the checks apply.
    case override
    /// 错误原因: the column a skipped-rows file adds; ignored, so a fixed file imports as it is.
    case reason

    /// The header the county's spreadsheets use.
    public var chineseHeader: String {
        switch self {
        case .village: return "区划代码"
        case .household: return "户号"
        case .address: return "地址"
        case .type: return "户类型"
        case .phone: return "联系电话"
        case .bankCard: return "一卡通账号"
        case .name: return "姓名"
        case .idNumber: return "身份证号"
        case .relation: return "与户主关系"
        case .disabilityGrade: return "残疾等级"
        case .program: return "救助项目"
        case .amount: return "月保障金额"
        case .start: return "起始年月"
        case .override: return "特批理由"
        case .reason: return SpreadsheetTable.reasonHeader
        }
    }

    /// Every header accepted for the column.
    public var headers: [String] {
        switch self {
        case .village: return ["区划代码", "村(社区)代码", "村代码", "社区代码", "village", "village_code", "division_code"]
        case .household: return ["户号", "户编号", "household_no", "household_number"]
        case .address: return ["地址", "家庭住址", "住址", "address"]
        case .type: return ["户类型", "户籍类型", "household_type", "type"]
        case .phone: return ["联系电话", "电话", "手机号", "phone"]
        case .bankCard: return ["一卡通账号", "一卡通", "银行卡号", "bank_card"]
        case .name: return ["姓名", "name"]
        case .idNumber: return ["身份证号", "身份证号码", "公民身份号码", "id_number"]
        case .relation: return ["与户主关系", "关系", "relation"]
        case .disabilityGrade: return ["残疾等级", "disability_grade", "grade"]
        case .program: return ["救助项目", "项目", "program"]
        case .amount: return ["月保障金额", "月保障金额(元)", "金额", "amount"]
        case .start: return ["起始年月", "起始月份", "start", "start_month"]
        case .override: return ["特批理由", "特批说明", "override", "override_reason"]
        case .reason: return [SpreadsheetTable.reasonHeader, "reason"]
        }
    }

    /// What goes in the column, for help texts, in the process's language.
    public var meaning: String { meaning(in: .current) }

    /// What goes in the column, in `language`.
    public func meaning(in language: Language) -> String {
        Catalogue.text("roster.column." + rawValue, in: language)
    }

    /// Columns every roster must have.
    public static let required: [RosterColumn] = [.village, .household, .address, .type, .name, .idNumber, .relation]
    /// Columns a roster with a 救助项目 column must also have.
    public static let requiredWithProgram: [RosterColumn] = [.amount, .start]

    /// Headers of columns a county's roster carries for people, not for the import: a running
    /// number (序号) and remarks (备注). Their cells are ignored.
    public static let ignoredHeaders = ["序号", "编号序号", "备注", "备注说明", "no.", "seq", "remark", "remarks", "note", "notes"]

    /// Which column each of the file's headers is, as the file spells the header.
    ///
    /// Refuses unknown headers (they would be silently dropped), two headers for one column,
    /// and missing required ones, naming them all at once.
    static func resolve(_ table: SpreadsheetTable) throws(RosterImportError) -> [RosterColumn: String] {
        var lookup: [String: RosterColumn] = [:]
        for column in allCases {
            for header in column.headers { lookup[SpreadsheetTable.normalizedHeader(header)] = column }
        }
        var columns: [RosterColumn: String] = [:]
        var unknown: [String] = []
        var twice: [String] = []
        let ignored = Set(ignoredHeaders.map(SpreadsheetTable.normalizedHeader))
        for header in table.headers where !ignored.contains(SpreadsheetTable.normalizedHeader(header)) {
            guard let column = lookup[SpreadsheetTable.normalizedHeader(header)] else {
                unknown.append(header)
                continue
            }
            if let earlier = columns[column] {
                twice.append(Catalogue.text("roster.columns_pair", ["first": earlier, "second": header]))
                continue
            }
            columns[column] = header
        }
        var needed = required
        if columns[.program] != nil { needed += requiredWithProgram }
        let missing = needed.filter { columns[$0] == nil }.map(\.chineseHeader)
        guard unknown.isEmpty, missing.isEmpty, twice.isEmpty else {
            throw .columns(file: table.file, unknown: unknown, missing: missing, twice: twice)
        }
        return columns
    }
}
