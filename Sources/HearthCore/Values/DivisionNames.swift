/// The names the county registered for its townships and villages (区划名称), by code.
///
/// Reports, rolls and lists show codes, which clerks do not read: with these they show
/// `421281101 新庄镇` instead. A code without a registered name shows the code alone, so a
/// county that has registered nothing sees what it saw before. Every replica of the county
/// holds the same names (they are county configuration, replicated like standards).
public struct DivisionNames: Sendable, Equatable {
    /// Names by code (9 or 12 digits; the county's 6 when a caller adds it).
    public private(set) var byCode: [String: String]

    public init(_ byCode: [String: String] = [:]) {
        self.byCode = byCode
    }

    /// The name registered for a code, nil when none is.
    public func name(of code: String) -> String? {
        byCode[code]
    }

    /// The code followed by its name (`421281101 新庄镇`), or the code alone.
    public func label(_ code: String) -> String {
        guard let name = byCode[code], !name.isEmpty else { return code }
        return code + " " + name
    }

    /// A copy that also names `code` (the county's own name, which the hub holds as its name).
    public func adding(_ code: String, name: String) -> DivisionNames {
        var copy = self
        if copy.byCode[code] == nil, !name.isEmpty { copy.byCode[code] = name }
        return copy
    }

    /// Checks a township (9 digits) or village (12 digits) code typed for a name inside the
    /// county `county` (its 6 digits): the township and village parts are never `000`, which
    /// is the county's own (the county-wide code `<county>000000`).
    public static func parseCode(_ text: String, county: String, field: String = "code") throws(InputError) -> String {
        let digits = try DivisionDigits.parse(
            text, field: field, lengths: [9, 12],
            lengthKey: "input.division_code_length")
        guard digits.hasPrefix(county) else {
            throw InputError(field: field, "input.division_outside_county", ["code": digits, "county": county])
        }
        let township = digits.dropFirst(6).prefix(3)
        guard township != "000" else {
            throw InputError(
                field: field, reason: "the township part (digits 7 to 9) is 000, which is the county's own code")
        }
        if digits.utf8.count == 12, digits.suffix(3) == "000" {
            throw InputError(
                field: field,
                reason: "the village part (digits 10 to 12) is 000; a township's name is set with its 9 digits")
        }
        return digits
    }

    /// Checks a name: 1 to 64 characters on one line, surrounding blanks removed.
    public static func parseName(_ text: String, field: String = "name") throws(InputError) -> String {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, ValueText.isBlank(last) { scalars.removeLast() }
        let name = ValueText.string(scalars.drop(while: ValueText.isBlank))
        guard !name.isEmpty else { throw InputError(field: field, "input.place_name_empty") }
        guard name.count <= 64 else { throw InputError(field: field, "input.max_characters", ["max": "64"]) }
        guard
            !name.unicodeScalars.contains(where: {
                $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
            })
        else {
            throw InputError(field: field, "input.one_line")
        }
        return name
    }
}
