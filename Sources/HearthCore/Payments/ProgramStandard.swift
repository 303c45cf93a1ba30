/// One dated program standard (保障标准): from a month on, a program (and band) pays so much
/// per person per month, until a later standard of the same program and band.
///
/// Standards are county policy, not code (docs/domain.md): the yearly raise (提标) is a new standard
/// from a month, and enrollments that paid the old standard follow it from that month with
/// no per-enrollment edit, hence no conflict. Months before the raise keep their amounts.
public struct ProgramStandard: Hashable, Sendable {
    public let program: Program
    /// "" when the program has one standard; otherwise a ``StandardBand`` text.
    public let band: String
    public let from: Month
    public let amount: Money

    public init(program: Program, band: String, from: Month, amount: Money) {
        self.program = program
        self.band = band
        self.from = from
        self.amount = amount
    }
}

/// The bands a program's standard may be split into, and who falls in each.
///
/// `disability_living` pays by disability grade (`1-2`, `3-4`); `orphan` and
/// `unsupported_child` by placement (`scattered` 散居, `institutional` 集中); `elderly` by age
/// (`80-89`, `90-99`, `100-120`). Other programs have one standard and no band.
public enum StandardBand {
    /// Checks and normalises a band for a program ("" when none was given).
    public static func parse(_ raw: String?, program: Program) throws(InputError) -> String {
        let text = (raw ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch program {
        case .disabilityLiving:
            guard ["", "1-2", "3-4"].contains(text) else {
                throw InputError(field: "band", "standard.band_disability")
            }
        case .orphan, .unsupportedChild:
            guard ["", "scattered", "institutional"].contains(text) else {
                throw InputError(field: "band", "standard.band_placement", ["program": program.rawValue])
            }
        case .elderly:
            guard !text.isEmpty else { return text }
            guard let range = ageRange(text), range.lowerBound >= 80, range.upperBound <= 150 else {
                throw InputError(field: "band", "standard.band_elderly")
            }
        default:
            guard text.isEmpty else {
                throw InputError(field: "band", "standard.band_none", ["program": program.rawValue])
            }
        }
        return text
    }

    /// Whether a member falls in a band in a month, as far as the records can tell: grade
    /// bands need the grade, age bands the birth date; a placement band cannot be checked
    /// against the records and is decided by the amount alone.
    public static func includes(
        _ band: String, program: Program, grade: Int?, birth: CivilDate?, in month: Month
    ) -> Bool {
        guard !band.isEmpty else { return true }
        switch program {
        case .disabilityLiving:
            guard let grade, let range = ageRange(band) else { return false }
            return range.contains(grade)
        case .elderly:
            guard let birth, let range = ageRange(band) else { return false }
            return range.contains(birth.age(on: month.lastDay))
        default:
            return true
        }
    }

    /// The grades or ages a band's text names ("80-89"); nil for a placement band or none.
    static func range(_ text: String) -> ClosedRange<Int>? { ageRange(text) }

    private static func ageRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high else { return nil }
        return low...high
    }
}
