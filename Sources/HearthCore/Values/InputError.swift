/// A rejected piece of field input, phrased for the field worker who typed it.
///
/// It exists so every parser reports problems the same way: which field, and why.
/// The reason never repeats the rejected text, because that text may be an ID number
/// or bank card digits, which must not end up in logs or on screens.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name of the field the input was meant for, e.g. "id-number".
    public let field: String
    /// Why the input was refused, in plain words.
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// "<field>: <reason>".
    public var description: String { "\(field): \(reason)" }
}
