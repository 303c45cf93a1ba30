import Foundation
import HearthCore
import HearthStore
import HearthText

/// One roster row, each cell checked on its own. A cell that fails its check is nil here and
/// has a problem; what rows say together (households, repeated members) is checked by
/// ``RosterPlanner``.
///
/// The row's cells as the file has them are not kept here: the planner holds the file's rows
/// (``RosterPreparation/rows``), in the same order, and a county's roster has 360,000 of these.
struct RosterRow {
    let line: Int
    var village: DivisionCode?
    var householdNumber: String?
    var address: String?
    var type: String?
    var phone: Phone?
    var bankCard: BankCard?
    var name: String?
    /// Nil when the cell is empty (`idMissing`) or wrong (a problem says which).
    var idNumber: IDNumber?
    var idMissing = false
    var relation: String?
    var grade: Int?
    var program: Program?
    var amount: Money?
    var start: Month?
    /// Why an implausible enrollment on this row is right (R6); nil when the cell is empty.
    var override: String?
    var problems: [ImportProblem] = []

    /// The household key, when village and household number are good.
    var householdKey: String? {
        guard let village, let householdNumber else { return nil }
        return "roster|H|\(village.value)|\(householdNumber)"
    }

    /// The household number as the cell has it (`001`), when that is not its canonical form.
    var householdNumberAsWritten: String?

    /// The number as imports before 户号 were canonical kept it in their keys, when it differs.
    var legacyHouseholdNumber: String? {
        householdNumberAsWritten.flatMap { $0 == householdNumber ? nil : $0 }
    }

    init(_ source: SpreadsheetRow, columns: [RosterColumn: String], scope: ScopePrefix, today: CivilDate) {
        line = source.line
        func cell(_ column: RosterColumn) -> String { columns[column].map { source[$0] } ?? "" }
        func header(_ column: RosterColumn) -> String { columns[column] ?? column.chineseHeader }
        func check<T>(_ column: RosterColumn, _ parse: (String, String) throws(InputError) -> T?) -> T? {
            let text = cell(column)
            do { return try parse(text, header(column)) } catch {
                problems.append(ImportProblem(line: line, field: header(column), error))
                return nil
            }
        }
        village = check(.village) { text, field throws(InputError) in
            guard !text.isEmpty else { throw RosterRow.empty(field) }
            if RosterRow.looksLikeExponent(text) { throw RosterRow.exponent(field, text) }
            let code = try DivisionCode.parse(text, field: field)
            guard scope.contains(code) else {
                throw InputError(field: field, "roster.outside_county", ["code": code.value, "scope": scope.value])
            }
            return code
        }
        householdNumber = check(.household) { text, field throws(InputError) in
            guard !text.isEmpty else { throw RosterRow.empty(field) }
            if RosterRow.looksLikeExponent(text) { throw RosterRow.exponent(field, text) }
            return RosterRow.householdNumber(try Checks.text(text, field: field, maxLength: 32))
        }
        if householdNumber != nil { householdNumberAsWritten = cell(.household) }
        address = check(.address) { text, field throws(InputError) in
            text.isEmpty ? nil : try Checks.text(text, field: field, maxLength: 200)
        }
        type = check(.type) { text, field throws(InputError) in
            text.isEmpty ? nil : try RosterRow.householdType(text, field: field)
        }
        phone = check(.phone) { text, field throws(InputError) in
            text.isEmpty ? nil : try Phone.parse(text, field: field)
        }
        bankCard = check(.bankCard) { text, field throws(InputError) in
            text.isEmpty ? nil : try BankCard.parse(text, field: field)
        }
        name = check(.name) { text, field throws(InputError) in try Checks.text(text, field: field, maxLength: 50) }
        idMissing = cell(.idNumber).isEmpty
        idNumber = check(.idNumber) { text, field throws(InputError) in
            text.isEmpty ? nil : try IDNumber(parsing: text, field: field, today: today)
        }
        relation = check(.relation) { text, field throws(InputError) in try RosterRow.relation(text, field: field) }
        grade = check(.disabilityGrade) { text, field throws(InputError) in try RosterRow.grade(text, field: field) }
        program = check(.program) { text, field throws(InputError) in try RosterRow.program(text, field: field) }
        if program != nil || !cell(.program).isEmpty {
            amount = check(.amount) { text, field throws(InputError) in
                guard !text.isEmpty else {
                    throw InputError(field: field, "roster.amount_empty")
                }
                let money = try Money.parse(yuan: text, field: field)
                guard money.fen > 0 else { throw InputError(field: field, "roster.amount_positive") }
                return money
            }
            start = check(.start) { text, field throws(InputError) in
                guard !text.isEmpty else {
                    throw InputError(field: field, "roster.start_empty")
                }
                return try RosterRow.month(text, field: field)
            }
            override = check(.override) { text, field throws(InputError) in
                text.isEmpty ? nil : try Checks.text(text, field: field, maxLength: Plausibility.maxOverrideLength)
            }
        } else {
            for column in [RosterColumn.amount, .start, .override] where !cell(column).isEmpty {
                problems.append(
                    ImportProblem(
                        line: line, field: header(column),
                        LocalizedText("roster.without_program", ["program": header(.program)])))
            }
        }
    }

    /// An empty key cell. Blank cells below a household's first row are filled from the row
    /// above before this check (``RosterPlanner``), so this is a first row, or one after a 小计.
    static func empty(_ field: String) -> InputError {
        InputError(field: field, "roster.empty_key")
    }

    /// A household number as its household is known: digits without leading zeros, so `001`
    /// (typed as text) and `1` (what Excel made of it) are the same household.
    static func householdNumber(_ text: String) -> String {
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return text }
        let trimmed = text.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// Text shaped like a spreadsheet's scientific notation, e.g. `1.30102E+11`: digits, a
    /// decimal part after `.` or `,` or none, `E` or `e`, a sign or none, digits. Matched by
    /// hand: a regular expression compiled for every key cell took a tenth of a roster's check.
    static func looksLikeExponent(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> Bool {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index > start
        }
        guard digits() else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
            index += 1
            guard digits() else { return false }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") else {
            return false
        }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        return digits() && index == bytes.count
    }

    /// What to do when Excel has turned a code into a number in scientific notation.
    static func exponent(_ field: String, _ text: String) -> InputError {
        InputError(field: field, "roster.exponent", ["text": text])
    }

    /// 农村 / 城镇, or the codes.
    static func householdType(_ text: String, field: String) throws(InputError) -> String {
        switch SpreadsheetTable.normalizedHeader(text) {
        case "农村", "农业", "rural": return "rural"
        case "城镇", "城市", "非农业", "urban": return "urban"
        default: throw shown(field, "roster.type", text)
        }
    }

    /// The relation to the head of household, as the county writes it.
    static func relation(_ text: String, field: String) throws(InputError) -> String {
        let word = SpreadsheetTable.normalizedHeader(text)
        switch word {
        case "": throw InputError(field: field, "roster.relation_empty")
        case "户主", "本人", "head": return "head"
        case "配偶", "妻", "夫", "妻子", "丈夫", "spouse": return "spouse"
        case "子", "女", "子女", "儿子", "女儿", "长子", "次子", "长女", "次女", "child": return "child"
        case "父亲", "母亲", "父母", "父", "母", "parent": return "parent"
        default: return "other"
        }
    }

    /// 1-4, 一级..四级 or 1级..4级; empty or 无 for none.
    static func grade(_ text: String, field: String) throws(InputError) -> Int? {
        // The grades as FieldInput reads them everywhere a grade is typed; 0, 无 and "" clear.
        guard let grade = try? FieldInput.disabilityGrade(SpreadsheetTable.normalizedHeader(text), label: field) else {
            throw shown(field, "roster.grade", text)
        }
        if grade == 0 { return nil }
        return grade
    }

    /// The programs' official names (as the ministry's rules and the bureau's rosters write
    /// them) and the short names counties use, beside ``Program/chineseName``.
    static let officialNames: [String: Program] = [
        "农村最低生活保障": .dibaoRural, "农村居民最低生活保障": .dibaoRural, "农村低保金": .dibaoRural,
        "城市居民最低生活保障": .dibaoUrban, "城市最低生活保障": .dibaoUrban, "城镇最低生活保障": .dibaoUrban,
        "城镇居民最低生活保障": .dibaoUrban, "城镇低保": .dibaoUrban, "城市低保金": .dibaoUrban,
        "特困人员分散供养": .tekunDispersed, "分散供养特困人员": .tekunDispersed, "农村分散供养特困人员": .tekunDispersed,
        "城市分散供养特困人员": .tekunDispersed, "特困分散": .tekunDispersed, "分散供养": .tekunDispersed,
        "特困人员集中供养": .tekunCentralized, "集中供养特困人员": .tekunCentralized, "农村集中供养特困人员": .tekunCentralized,
        "城市集中供养特困人员": .tekunCentralized, "特困集中": .tekunCentralized, "集中供养": .tekunCentralized,
        "临时救助金": .temporary,
        "孤儿基本生活费": .orphan, "孤儿基本生活保障金": .orphan, "孤儿基本生活保障": .orphan,
        "事实无人抚养儿童基本生活补贴": .unsupportedChild, "事实无人抚养儿童生活补贴": .unsupportedChild,
        "困难残疾人生活补贴": .disabilityLiving, "残疾人生活补贴": .disabilityLiving,
        "重度残疾人护理补贴": .disabilityCare, "残疾人护理补贴": .disabilityCare,
        "高龄补贴": .elderly, "高龄津贴": .elderly, "高龄老人补贴": .elderly, "高龄老人津贴": .elderly,
    ]

    /// Names that stand for more than one program: what to write instead.
    static let ambiguousNames: [String: LocalizedText] = [
        "残疾人两项补贴": LocalizedText("roster.ambiguous_disability"),
        "低保": LocalizedText("roster.ambiguous_dibao"),
        "最低生活保障": LocalizedText("roster.ambiguous_minimum"),
        "特困": LocalizedText("roster.ambiguous_tekun", ["word": "特困"]),
        "特困供养": LocalizedText("roster.ambiguous_tekun", ["word": "特困供养"]),
    ]

    /// A program by its Chinese name (short or official) or its code; nil for an empty cell.
    static func program(_ text: String, field: String) throws(InputError) -> Program? {
        let word = SpreadsheetTable.normalizedHeader(text)
        guard !word.isEmpty else { return nil }
        if let program = Program.allCases.first(where: {
            SpreadsheetTable.normalizedHeader($0.chineseName) == word
                || SpreadsheetTable.normalizedHeader($0.rawValue) == word
        }) {
            return program
        }
        if let program = officialNames[word] { return program }
        if let hint = ambiguousNames[word] { throw InputError(field: field, hint.key, hint.values) }
        throw shown(
            field, "roster.unknown_program", text,
            ["programs": Program.allCases.map(\.chineseName).joined(separator: ", ")])
    }

    /// A month as counties write it: 2026-01, 2026/01, 2026.1, 2026年1月, 202601; a date's
    /// month too (Excel turns 2026-01 into 2026/1/1).
    static func month(_ text: String, field: String) throws(InputError) -> Month {
        let folded = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    (0xFF01...0xFF5E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar : scalar
                }))
        let groups = folded.split(whereSeparator: { "-/.年月日 ".contains($0) }).map(String.init)
        let shape = InputError(field: field, "roster.month")
        guard groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            throw shape
        }
        switch groups.count {
        case 1: return try Month.parse(groups[0], field: field)
        case 2, 3:
            guard groups[0].count == 4, (1...2).contains(groups[1].count), let month = Int(groups[1]) else {
                throw shape
            }
            return try Month.parse(groups[0] + "-" + (month < 10 ? "0" : "") + String(month), field: field)
        default: throw shape
        }
    }

    /// The refusal `key`, or its `_shown` form quoting the cell (`("…")`) when the cell is short
    /// and cannot be an ID or card number: reasons never repeat sensitive digits.
    static func shown(_ field: String, _ key: String, _ text: String, _ values: [String: String] = [:]) -> InputError {
        var run = 0
        for character in text {
            run = character.isNumber ? run + 1 : 0
            if run >= 5 { return InputError(field: field, key, values) }
        }
        guard text.count <= 20 else { return InputError(field: field, key, values) }
        return InputError(field: field, key + "_shown", values.merging(["text": text]) { old, _ in old })
    }
}
