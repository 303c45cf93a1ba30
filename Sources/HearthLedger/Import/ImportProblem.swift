import HearthCore
import HearthText

/// A problem with one row of an imported spreadsheet (a roster, a cross-check list): the file
/// line, the column (its header as the file spells it) and why. The reason never repeats an
/// ID or bank card number.
///
/// The reason is worded in every language Hearth speaks when the problem is found: the person
/// fixing the file reads it in theirs (``description``, the skipped-rows file), while `--json`
/// and the logs keep its English (``reason``).
public struct ImportProblem: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let field: String
    /// The reason in English.
    public let reason: String
    /// The reason in each language.
    public let texts: [Language: String]

    /// A reason that has no catalogue entry (quoted from elsewhere), the same in every language.
    public init(line: Int, field: String, reason: String) {
        self.init(line: line, field: field) { _ in reason }
    }

    /// A reason from the catalogue.
    public init(line: Int, field: String, _ message: LocalizedText) {
        self.init(line: line, field: field) { message.text(in: $0) }
    }

    /// A refused cell: the input check's reason.
    public init(line: Int, field: String, _ error: InputError) {
        self.init(line: line, field: field, error.message)
    }

    /// A reason worded by `words` in each language.
    public init(line: Int, field: String, words: (Language) -> String) {
        self.line = line
        self.field = field
        var texts: [Language: String] = [:]
        for language in Language.allCases { texts[language] = words(language) }
        self.texts = texts
        reason = texts[.en] ?? ""
    }

    /// The reason in `language`.
    public func text(in language: Language) -> String { texts[language] ?? reason }

    /// "line 12, 身份证号: …" in `language`.
    public func description(in language: Language) -> String {
        Catalogue.text(
            "import.problem", ["line": "\(line)", "field": field, "reason": text(in: language)], in: language)
    }

    /// "<field>: <reason>" in `language`, as the skipped-rows file's 错误原因 column has it.
    public func cell(in language: Language) -> String {
        language == .zh ? "\(field)：\(text(in: language))" : "\(field): \(text(in: language))"
    }

    /// The problems of one row as one cell of the skipped-rows file, in `language`.
    public static func cell(_ problems: [ImportProblem], in language: Language = .current) -> String {
        problems.map { $0.cell(in: language) }.joined(separator: language == .zh ? "；" : "; ")
    }

    /// "line 12, 身份证号: …" in the process's language.
    public var description: String { description(in: .current) }
}
