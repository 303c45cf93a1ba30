/// A problem with one row of an imported spreadsheet (a roster, a cross-check list): the file
/// line, the column (its header as the file spells it) and why. The reason never repeats an
/// ID or bank card number.
public struct ImportProblem: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let field: String
    public let reason: String

    public init(line: Int, field: String, reason: String) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// "line 12, 身份证号: …".
    public var description: String { "line \(line), \(field): \(reason)" }
}
