import HearthStore

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
            var parts: [String] = []
            if !unknown.isEmpty {
                parts.append(
                    "unknown column\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) "
                        + "(delete or rename; the columns are listed in `hearth hub import-roster --help`)")
            }
            if !missing.isEmpty {
                parts.append("missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")
            }
            for pair in twice { parts.append("\(pair) name the same column; keep one") }
            return "\(file): nothing imported: " + parts.joined(separator: "; ")
        case .replica(let error): return error.description
        }
    }
}
