/// R5a, ID numbers normalised: on input, a trailing `x` is upper-cased, spaces and full-width
/// digits are folded and the check digit is verified (``IDNumber``). The hub holds every op
/// to the same: a sealed ID number must open with the county's key and be a valid number.
public enum IDNumberRule {
    /// The problem with an op's sealed ID number, given what it opens to with the county's key
    /// (`open` answers nil when it does not open). Nil when the op sets no ID number or a valid one.
    /// Never repeats the number.
    public static func problem(of op: Op, today: CivilDate, open: (SealedValue) -> String?) -> String? {
        guard case .sealed(let sealed)? = op.fields["id_number"] else { return nil }
        guard let clear = open(sealed) else { return "id_number: sealed under another county key" }
        do { _ = try IDNumber(parsing: clear, today: today) } catch { return "id_number: \(error.reason)" }
        return nil
    }
}
