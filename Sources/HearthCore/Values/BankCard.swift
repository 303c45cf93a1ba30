/// A bank card or account number that benefits are paid into, digits only.
///
/// Payment lists are exported to banks, so the number must be clean digits of a plausible
/// length (12 to 19). The Luhn check is deliberately not applied: rural passbook and
/// "one-card" accounts often do not satisfy it. The digits are sensitive: `description`,
/// `debugDescription` and the mirror show only the masked form, and errors never repeat them.
public struct BankCard: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The card number as ASCII digits.
    public let value: String

    private init(value: String) {
        self.value = value
    }

    /// Removes spaces (including U+3000), hyphens and invisible characters, folds full-width
    /// digits, then requires 12 to 19 digits.
    public static func parse(_ text: String, field: String) throws(InputError) -> BankCard {
        let compact = ValueText.compacted(text, dropping: ValueText.isHyphen)
        guard !compact.isEmpty else {
            throw InputError(field: field, "input.is_empty")
        }
        if ValueText.looksLikeExponent(compact) {
            throw InputError(field: field, "input.spreadsheet")
        }
        guard ValueText.isDigits(compact) else {
            throw InputError(field: field, "input.digits_only")
        }
        let count = compact.utf8.count
        guard (12...19).contains(count) else {
            throw InputError(field: field, "input.card_length", ["count": "\(count)"])
        }
        return BankCard(value: compact)
    }

    /// First 4 digits, a `*` for each hidden digit, last 4: e.g. `6222***********1234`.
    public var masked: String {
        String(value.prefix(4)) + String(repeating: "*", count: value.count - 8) + String(value.suffix(4))
    }

    /// The masked form, so printing a `BankCard` does not leak it.
    public var description: String { masked }

    /// The masked form, so debug output does not leak it.
    public var debugDescription: String { "BankCard(\(masked))" }

    /// Shows only the masked form to `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(self, children: ["masked": masked], displayStyle: .struct)
    }
}
