/// The assistance programs (救助项目) a county pays, from docs/domain.md.
public enum Program: String, Hashable, Sendable, CaseIterable {
    case dibaoUrban = "dibao_urban"
    case dibaoRural = "dibao_rural"
    case tekunDispersed = "tekun_dispersed"
    case tekunCentralized = "tekun_centralized"
    case temporary
    case orphan
    case unsupportedChild = "unsupported_child"
    case disabilityLiving = "disability_living"
    case disabilityCare = "disability_care"
    case elderly

    /// The program's name as the bureau's reports print it.
    public var chineseName: String {
        switch self {
        case .dibaoUrban: return "城市低保"
        case .dibaoRural: return "农村低保"
        case .tekunDispersed: return "特困分散供养"
        case .tekunCentralized: return "特困集中供养"
        case .temporary: return "临时救助"
        case .orphan: return "孤儿"
        case .unsupportedChild: return "事实无人抚养儿童"
        case .disabilityLiving: return "困难残疾人生活补贴"
        case .disabilityCare: return "重度残疾人护理补贴"
        case .elderly: return "高龄津贴"
        }
    }

    /// Household programs enroll every member of the household, each paid per person.
    public var isHouseholdProgram: Bool {
        switch self {
        case .dibaoUrban, .dibaoRural, .temporary: return true
        default: return false
        }
    }
}

extension Program {
    /// A program from its code or its Chinese name, as people type it or spreadsheets carry it.
    public static func parse(_ raw: String, field: String = "program") throws(InputError) -> Program {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let program = Program(rawValue: text.lowercased())
            ?? Program.allCases.first(where: { $0.chineseName == text })
        {
            return program
        }
        let programs = Program.allCases.map { "\($0.chineseName) (\($0.rawValue))" }.joined(separator: ", ")
        throw InputError(field: field, "input.unknown_program", ["typed": raw, "programs": programs])
    }
}
