import HearthStore
import HearthText

/// Why a roster import did not even look at the rows. Bad rows are not errors: they are
/// reported in ``RosterImportReport/problems``.
public enum RosterImportError: Error, Sendable, CustomStringConvertible {
    /// The file could not be read as a spreadsheet.
    case spreadsheet(SpreadsheetError)
    /// Headers the import does not know, required ones missing, or two headers for one column.
    case columns(file: String, unknown: [String], missing: [String], twice: [String])
    /// The replica refused or failed.
    case replica(ReplicaError)

    public var description: String {
        switch self {
        case .spreadsheet(let error): return error.description
        case .columns(let file, let unknown, let missing, let twice):
            let separator = Catalogue.text("roster.columns_separator")
            var parts: [String] = []
            if !unknown.isEmpty {
                parts.append(
                    Catalogue.text(
                        unknown.count == 1 ? "roster.unknown_column" : "roster.unknown_columns",
                        ["columns": unknown.joined(separator: separator)]))
            }
            if !missing.isEmpty {
                parts.append(
                    Catalogue.text(
                        missing.count == 1 ? "roster.missing_column" : "roster.missing_columns",
                        ["columns": missing.joined(separator: separator)]))
            }
            for pair in twice { parts.append(Catalogue.text("roster.same_column", ["pair": pair])) }
            return Catalogue.text(
                "roster.nothing_imported",
                ["file": file, "parts": parts.joined(separator: Catalogue.text("roster.parts_separator"))])
        case .replica(let error): return error.description
        }
    }
}
