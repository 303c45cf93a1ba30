/// A contact telephone number: mobile, landline with area code, or international.
///
/// Numbers are written many ways ("138 0013 8000", "(0710) 123-4567", "+86 ..."), so they
/// are stored in one compact form, digits with an optional leading "+", to compare and dial.
public struct Phone: Hashable, Sendable {
    /// Digits with an optional leading "+", e.g. "13800138000" or "+8613800138000".
    public let value: String

    private init(value: String) {
        self.value = value
    }

    /// Removes spaces (including U+3000), hyphens and parentheses, folds full-width
    /// characters, then requires an optional leading "+" and 5 to 20 digits.
    public static func parse(_ text: String, field: String) throws(InputError) -> Phone {
        let compact = ValueText.compacted(text) { scalar in
            ValueText.isHyphen(scalar) || scalar == "(" || scalar == ")"
        }
        guard !compact.isEmpty else {
            throw InputError(field: field, "input.is_empty")
        }
        let hasPlus = compact.hasPrefix("+")
        let digits = hasPlus ? String(compact.dropFirst()) : compact
        guard ValueText.isDigits(digits) else {
            throw InputError(
                field: field, "input.phone_characters")
        }
        let count = digits.utf8.count
        guard (5...20).contains(count) else {
            throw InputError(field: field, "input.phone_length", ["count": "\(count)"])
        }
        return Phone(value: compact)
    }
}
