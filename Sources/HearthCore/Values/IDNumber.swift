/// An 18-character PRC resident identity number (GB 11643-1999), validated and normalized.
///
/// Identity numbers are the key that links a person's records across villages and years,
/// and they are typed by hand or pasted from spreadsheets, so they are checked (length,
/// birth date, region, ISO 7064 MOD 11-2 check digit) before anything is stored.
/// The number is sensitive personal data: `description`, `debugDescription` and the mirror
/// show only the masked form, and errors never repeat the digits.
public struct IDNumber: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The normalized number: 17 ASCII digits followed by a digit or "X".
    public let value: String
    /// The birth date encoded in characters 7-14.
    public let birthDate: CivilDate

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [Character] = Array("10X98765432")

    /// Removes all whitespace (including U+3000 and inner spaces), hyphens and invisible
    /// characters, folds full-width digits to ASCII and full-width Ｘ/ｘ to "X", and
    /// upper-cases a trailing "x". Does not validate.
    public static func normalize(_ raw: String) -> String {
        var scalars: [Unicode.Scalar] = []
        for scalar in raw.unicodeScalars {
            if scalar == "\u{FF38}" || scalar == "\u{FF58}" {
                scalars.append("X")
                continue
            }
            let folded = ValueText.widthFolded(scalar)
            if ValueText.isBlank(folded) || ValueText.isHyphen(folded) {
                continue
            }
            scalars.append(folded)
        }
        if scalars.last == "x" {
            scalars[scalars.count - 1] = "X"
        }
        return ValueText.string(scalars)
    }

    /// The ISO 7064 MOD 11-2 check character for 17 ASCII digits, or nil for anything else.
    public static func checkDigit(of first17: String) -> Character? {
        let bytes = Array(first17.utf8)
        guard bytes.count == 17, ValueText.isDigits(first17) else { return nil }
        var sum = 0
        for (byte, weight) in zip(bytes, weights) {
            sum += Int(byte - 0x30) * weight
        }
        return checkCharacters[sum % 11]
    }

    /// Upgrades a 15-digit first-generation number to 18 characters: inserts "19" before
    /// the two-digit birth year and appends the check digit. Nil unless exactly 15 ASCII digits.
    public static func upgrade(fifteen: String) -> String? {
        guard fifteen.utf8.count == 15, ValueText.isDigits(fifteen) else { return nil }
        let first17 = String(fifteen.prefix(6)) + "19" + String(fifteen.dropFirst(6))
        guard let check = checkDigit(of: first17) else { return nil }
        return first17 + String(check)
    }

    /// Normalizes and validates `raw`; 15-digit numbers are upgraded to 18.
    ///
    /// Each problem has its own reason, checked in this order: empty, spreadsheet
    /// scientific notation, length, non-digit in the first 17, bad last character,
    /// birth date (not a real date, before 1900, after `today`), region code, check digit.
    public init(parsing raw: String, field: String = "id-number", today: CivilDate) throws(InputError) {
        var text = IDNumber.normalize(raw)
        guard !text.isEmpty else {
            throw InputError(field: field, "input.is_empty")
        }
        if ValueText.looksLikeExponent(text) {
            throw InputError(field: field, "input.spreadsheet")
        }
        if let upgraded = IDNumber.upgrade(fifteen: text) {
            text = upgraded
        }
        let characters = Array(text)
        guard characters.count == 18 else {
            throw InputError(field: field, "input.id_length", ["count": "\(characters.count)"])
        }
        guard characters[0..<17].allSatisfy(ValueText.isASCIIDigit) else {
            throw InputError(field: field, "input.id_first17")
        }
        guard ValueText.isASCIIDigit(characters[17]) || characters[17] == "X" else {
            throw InputError(field: field, "input.id_last")
        }
        let bytes = Array(text.utf8)
        guard let year = ValueText.number(bytes[6..<10]),
            let month = ValueText.number(bytes[10..<12]),
            let day = ValueText.number(bytes[12..<14]),
            let birth = CivilDate(year: year, month: month, day: day)
        else {
            throw InputError(field: field, "input.id_birth_invalid")
        }
        guard birth.year >= 1900 else {
            throw InputError(field: field, "input.id_birth_early")
        }
        guard birth <= today else {
            throw InputError(field: field, "input.id_birth_future")
        }
        guard characters[0] != "0" else {
            throw InputError(field: field, "input.id_region")
        }
        guard IDNumber.checkDigit(of: String(text.prefix(17))) == characters[17] else {
            throw InputError(field: field, "input.id_check")
        }
        self.value = text
        self.birthDate = birth
    }

    /// Male when the 17th digit is odd, female when it is even.
    public var sex: Sex {
        let sequenceDigit = Array(value.utf8)[16] - 0x30
        return sequenceDigit % 2 == 1 ? .male : .female
    }

    /// The 6-digit administrative region code of the place of first registration.
    public var regionCode: String {
        String(value.prefix(6))
    }

    /// First 6 characters, eight `*`, last 4: e.g. `421281********0133`.
    public var masked: String {
        String(value.prefix(6)) + String(repeating: "*", count: 8) + String(value.suffix(4))
    }

    /// The masked form, so printing an `IDNumber` does not leak it.
    public var description: String { masked }

    /// The masked form, so debug output does not leak it.
    public var debugDescription: String { "IDNumber(\(masked))" }

    /// Shows only the masked form to `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(self, children: ["masked": masked], displayStyle: .struct)
    }
}
